// Checks a caller's SigV4 signature as API Gateway's AWS_IAM authorization does, by re-signing with Smithy's signer.
import { timingSafeEqual } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { getCanonicalHeaders, getPayloadHash, SignatureV4, UNSIGNED_PAYLOAD } from "@smithy/signature-v4";
import { IncompleteSignatureError, parseAuthorizationHeader, SIGV4_ALGORITHM } from "./authorizationHeader";
import { AuthDenials, type AuthDenial } from "./denials";

/** The credentials callers must sign with: the local server's own, as API Gateway checks against IAM. */
export interface IamCredentials {
  /** `AWS_ACCESS_KEY_ID`. */
  readonly accessKeyId: string;
  /** `AWS_SECRET_ACCESS_KEY`. */
  readonly secretAccessKey: string;
  /** `AWS_SESSION_TOKEN`, for temporary credentials: then callers must send it. @default none */
  readonly sessionToken?: string;
}

/** What a signature covers, as the request arrived. A `node:http` `IncomingMessage` with its body read fits. */
export interface SignedRequest {
  /** The request method. */
  readonly method: string;
  /** The request target as received: path and query string, still percent-encoded. */
  readonly url: string;
  /** Header names and values as received, alternating (`IncomingMessage.rawHeaders`). */
  readonly rawHeaders: readonly string[];
  /** The whole request body. */
  readonly body: Buffer;
}

/** The service a signature for API Gateway's data plane (invoking an API) is scoped to. */
export const EXECUTE_API_SERVICE = "execute-api";

/** How far a request's `X-Amz-Date` may be from the server's clock: five minutes, as AWS services allow. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

const Sha256 = Hash.bind(null, "sha256");
type SignableRequest = Parameters<SignatureV4["presign"]>[0];

/**
 * Checks a request's SigV4 `Authorization` header against `credentials`, as API Gateway checks a route with
 * `AWS_IAM` authorization: the header's presence and shape, the credential scope's service (`execute-api`;
 * any region is accepted), the access key, the session token, the date (within five minutes), then the
 * signature, recomputed with `@smithy/signature-v4` over the headers the caller signed and the body received.
 * Signatures in the query string (presigned URLs) are not accepted: such a request is answered as unsigned.
 * @param request The request as received.
 * @param credentials The credentials callers must sign with.
 * @param now The server's time. @default the current time
 * @returns `undefined` when the signature holds, else the 403 API Gateway would answer.
 */
export async function verifySigV4(
  request: SignedRequest,
  credentials: IamCredentials,
  now: Date = new Date(),
): Promise<AuthDenial | undefined> {
  const headers = headerLists(request.rawHeaders);
  const authorization = headers.get("authorization")?.[0];
  if (authorization === undefined) return AuthDenials.missingToken();
  const amzDate = headers.get("x-amz-date")?.[0];
  let parsed;
  try {
    parsed = parseAuthorizationHeader(authorization, amzDate !== undefined);
  } catch (error) {
    if (error instanceof IncompleteSignatureError) return AuthDenials.incompleteSignature(error.message);
    throw error;
  }
  if (parsed.algorithm !== SIGV4_ALGORITHM) return AuthDenials.unsupportedAlgorithm(parsed.algorithm);
  if (parsed.terminator !== "aws4_request") return AuthDenials.wrongTerminator(parsed.terminator);
  if (parsed.service !== EXECUTE_API_SERVICE) return AuthDenials.wrongService(EXECUTE_API_SERVICE);
  if (parsed.region === "") return AuthDenials.invalidRegion(parsed.region);
  if (parsed.accessKeyId !== credentials.accessKeyId) return AuthDenials.invalidToken();
  const token = headers.get("x-amz-security-token")?.[0];
  if (token !== credentials.sessionToken) return AuthDenials.invalidToken();

  const signedAt = parseAmzDate(amzDate as string);
  if (signedAt === undefined) return AuthDenials.badDate(amzDate as string);
  const skew = now.getTime() - signedAt.getTime();
  if (skew > MAX_CLOCK_SKEW_MS) return AuthDenials.expired(amzDate as string, now, MAX_CLOCK_SKEW_MS);
  if (-skew > MAX_CLOCK_SKEW_MS) return AuthDenials.notYetCurrent(amzDate as string, now, MAX_CLOCK_SKEW_MS);
  if (parsed.scopeDate !== (amzDate as string).slice(0, 8)) {
    return AuthDenials.scopeDateMismatch(parsed.scopeDate, amzDate as string);
  }

  const signed = new Set(parsed.signedHeaders);
  const toSign = await signableRequest(request, headers, signed);
  const signer = new ExplainingSigner({
    credentials,
    region: parsed.region,
    service: EXECUTE_API_SERVICE,
    sha256: Sha256,
  });
  // The signer adds the token and body-hash headers itself: they count only if the caller signed them.
  const unsignable = new Set(["x-amz-security-token", "x-amz-content-sha256"].filter((h) => !signed.has(h)));
  const options = { signingDate: signedAt, signableHeaders: signed, unsignableHeaders: unsignable };
  const resigned = await signer.sign(toSign, options);
  const expected = /Signature=([0-9a-f]+)/.exec(String(resigned.headers.authorization))?.[1] ?? "";
  if (sameSignature(expected, parsed.signature)) return undefined;
  const { canonicalRequest, stringToSign } = await signer.explain(toSign, options);
  return AuthDenials.signatureMismatch(canonicalRequest, stringToSign);
}

/** Header lists by lower-case name, in the order received. */
function headerLists(rawHeaders: readonly string[]): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), rawHeaders[i + 1] as string]);
  }
  return headers;
}

/**
 * The request as the signer takes it: the raw path (the signer encodes it once more, as SigV4 wants for every
 * service but S3), the decoded query, and only the headers the caller signed, with the body's real hash in
 * place of a claimed `X-Amz-Content-Sha256` (so a body changed in transit fails the check).
 */
async function signableRequest(
  request: SignedRequest,
  headers: ReadonlyMap<string, readonly string[]>,
  signed: ReadonlySet<string>,
): Promise<SignableRequest> {
  const queryStart = request.url.indexOf("?");
  const path = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(
    queryStart === -1 ? "" : request.url.slice(queryStart + 1),
  )) {
    const previous = query[name];
    query[name] =
      previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  const body = request.body.length > 0 ? new Uint8Array(request.body) : undefined;
  const signedHeaders: Record<string, string> = {};
  for (const name of signed) {
    const values = headers.get(name);
    if (values !== undefined) signedHeaders[name] = values.join(",");
  }
  const claimedHash = signedHeaders["x-amz-content-sha256"];
  if (claimedHash !== undefined && claimedHash !== UNSIGNED_PAYLOAD) {
    signedHeaders["x-amz-content-sha256"] = await getPayloadHash(
      { headers: {}, body } as SignableRequest,
      Sha256,
    );
  }
  // Only headers, path, query and body are signed: the hostname field is informative (the Host header counts).
  return {
    method: request.method,
    protocol: "http:",
    hostname: headers.get("host")?.[0] ?? "",
    path,
    query,
    headers: signedHeaders,
    body,
  };
}

/** `YYYYMMDDTHHMMSSZ` as a date; `undefined` when it is not one. */
function parseAmzDate(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const date = new Date(Date.UTC(year as number, (month as number) - 1, day, hour, minute, second));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(given, "utf8");
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

/** Smithy's signer, also able to show the canonical request and string to sign, as API Gateway's 403 does. */
class ExplainingSigner extends SignatureV4 {
  /**
   * The canonical request and the string to sign the signer builds for `request` with these options.
   * @param request The request, as given to `sign`.
   * @param options The date and header sets, as given to `sign`.
   */
  async explain(
    request: SignableRequest,
    options: { signingDate: Date; signableHeaders: Set<string>; unsignableHeaders: Set<string> },
  ): Promise<{ canonicalRequest: string; stringToSign: string }> {
    const { longDate, shortDate } = this.formatDate(options.signingDate);
    const region = await this.regionProvider();
    const credentials = await this.credentialProvider();
    const headers: Record<string, string> = { ...request.headers, "x-amz-date": longDate };
    const prepared = { ...request, headers };
    if (credentials.sessionToken) prepared.headers["x-amz-security-token"] = credentials.sessionToken;
    const payloadHash = await getPayloadHash(prepared, Sha256);
    if (prepared.headers["x-amz-content-sha256"] === undefined) {
      prepared.headers["x-amz-content-sha256"] = payloadHash;
    }
    const canonicalHeaders = getCanonicalHeaders(
      prepared,
      options.unsignableHeaders,
      options.signableHeaders,
    );
    const canonicalRequest = this.createCanonicalRequest(prepared, canonicalHeaders, payloadHash);
    const scope = `${shortDate}/${region}/${this.service}/aws4_request`;
    const stringToSign = await this.createStringToSign(longDate, scope, canonicalRequest, SIGV4_ALGORITHM);
    return { canonicalRequest, stringToSign };
  }
}
