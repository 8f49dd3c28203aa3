// Reads a SigV4 `Authorization` header into its parts, or says what API Gateway would say is missing.

/** The algorithm SigV4 names in its `Authorization` header. */
export const SIGV4_ALGORITHM = "AWS4-HMAC-SHA256";

/** The parts of `AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b, Signature=hex`. */
export interface SigV4Authorization {
  /** The algorithm named first, e.g. `AWS4-HMAC-SHA256`. */
  readonly algorithm: string;
  /** The access key id of the `Credential` parameter. */
  readonly accessKeyId: string;
  /** The credential scope's date, `YYYYMMDD`. */
  readonly scopeDate: string;
  /** The credential scope's region. */
  readonly region: string;
  /** The credential scope's service (`execute-api` for API Gateway). */
  readonly service: string;
  /** The scope's terminator (`aws4_request`). */
  readonly terminator: string;
  /** The header names the signature covers, lower case, in the order given. */
  readonly signedHeaders: readonly string[];
  /** The signature, hex. */
  readonly signature: string;
}

/** Why an `Authorization` header cannot be read as SigV4: API Gateway's `IncompleteSignatureException` text. */
export class IncompleteSignatureError extends Error {
  override name = "IncompleteSignatureError";
}

/**
 * Parses a SigV4 `Authorization` header.
 * @param header The header's value.
 * @param hasDate Whether the request carries an `X-Amz-Date` header (part of what API Gateway requires).
 * @throws {IncompleteSignatureError} With API Gateway's wording: a parameter without `=`, or the required
 *   parameters (`Credential`, `Signature`, `SignedHeaders`, a date header) that are missing.
 */
export function parseAuthorizationHeader(header: string, hasDate: boolean): SigV4Authorization {
  const space = header.indexOf(" ");
  const algorithm = space === -1 ? header : header.slice(0, space);
  const rest = space === -1 ? "" : header.slice(space + 1);
  const parameters = new Map<string, string>();
  for (const pair of rest.split(",").map((item) => item.trim())) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    if (equals === -1) {
      throw new IncompleteSignatureError(
        `'${pair}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`,
      );
    }
    parameters.set(pair.slice(0, equals), pair.slice(equals + 1));
  }
  const missing: string[] = [];
  for (const name of ["Credential", "Signature", "SignedHeaders"]) {
    if (!parameters.get(name)) missing.push(`Authorization header requires '${name}' parameter.`);
  }
  if (!hasDate) {
    missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  if (missing.length > 0) throw new IncompleteSignatureError(`${missing.join(" ")} Authorization=${header}`);
  const [accessKeyId = "", scopeDate = "", region = "", service = "", terminator = ""] = (
    parameters.get("Credential") as string
  ).split("/");
  return {
    algorithm,
    accessKeyId,
    scopeDate,
    region,
    service,
    terminator,
    signedHeaders: (parameters.get("SignedHeaders") as string).split(";").map((name) => name.toLowerCase()),
    signature: parameters.get("Signature") as string,
  };
}
