// The 403 answers API Gateway gives a request its AWS_IAM authorization refuses, worded as API Gateway words them.

/** A refused request: status, `x-amzn-ErrorType` and the JSON body's `message`. */
export interface AuthDenial {
  /** Always 403, as API Gateway answers. */
  readonly statusCode: 403;
  /** The `x-amzn-ErrorType` header, e.g. `InvalidSignatureException`. */
  readonly errorType: string;
  /** The JSON body's `message`. */
  readonly message: string;
}

function denial(errorType: string, message: string): AuthDenial {
  return { statusCode: 403, errorType, message };
}

/** `YYYYMMDDTHHMMSSZ`, the form AWS writes dates in its signature errors. */
function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** Every refusal, by cause. Messages follow API Gateway's (a trailing space included where it has one). */
export const AuthDenials = {
  /** No `Authorization` header (API Gateway's answer to an unsigned request on an IAM route). */
  missingToken: (): AuthDenial =>
    denial("MissingAuthenticationTokenException", "Missing Authentication Token"),
  /** An `Authorization` header missing parameters or a date header. */
  incompleteSignature: (message: string): AuthDenial => denial("IncompleteSignatureException", message),
  /** A signing algorithm other than SigV4's (this wording is the local server's own). */
  unsupportedAlgorithm: (algorithm: string): AuthDenial =>
    denial(
      "IncompleteSignatureException",
      `Unsupported Authorization algorithm '${algorithm}': sign requests with AWS4-HMAC-SHA256 (SigV4).`,
    ),
  /** A credential scope that does not end with `aws4_request`. */
  wrongTerminator: (terminator: string): AuthDenial =>
    denial(
      "InvalidSignatureException",
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `,
    ),
  /** A credential scope for another service than `execute-api`. */
  wrongService: (service: string): AuthDenial =>
    denial("InvalidSignatureException", `Credential should be scoped to correct service: '${service}'. `),
  /** A credential scope without a region. */
  invalidRegion: (region: string): AuthDenial =>
    denial("InvalidSignatureException", `Credential should be scoped to a valid region, not '${region}'. `),
  /** An access key the server does not know, or a missing or wrong session token. */
  invalidToken: (): AuthDenial =>
    denial("UnrecognizedClientException", "The security token included in the request is invalid."),
  /** An `X-Amz-Date` that is not `YYYYMMDDTHHMMSSZ`. */
  badDate: (value: string): AuthDenial =>
    denial(
      "IncompleteSignatureException",
      `Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    ),
  /** A request signed too long ago. */
  expired: (signed: string, now: Date, skewMs: number): AuthDenial =>
    denial(
      "InvalidSignatureException",
      `Signature expired: ${signed} is now earlier than ${amzDate(new Date(now.getTime() - skewMs))} ` +
        `(${amzDate(now)} - ${skewMs / 60_000} min.)`,
    ),
  /** A request signed in the future. */
  notYetCurrent: (signed: string, now: Date, skewMs: number): AuthDenial =>
    denial(
      "InvalidSignatureException",
      `Signature not yet current: ${signed} is still later than ${amzDate(new Date(now.getTime() + skewMs))} ` +
        `(${amzDate(now)} + ${skewMs / 60_000} min.)`,
    ),
  /** A credential scope dated another day than `X-Amz-Date`. */
  scopeDateMismatch: (scopeDate: string, signed: string): AuthDenial =>
    denial(
      "InvalidSignatureException",
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: ` +
        `'${scopeDate}' != '${signed.slice(0, 8)}', from '${signed}'.`,
    ),
  /** A signature that does not match, with the canonical request and string to sign the server used. */
  signatureMismatch: (canonicalRequest: string, stringToSign: string): AuthDenial =>
    denial(
      "InvalidSignatureException",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret " +
        "Access Key and signing method. Consult the service documentation for details.\n\n" +
        `The Canonical String for this request should have been\n'${canonicalRequest}'\n\n` +
        `The String-to-Sign should have been\n'${stringToSign}'\n`,
    ),
} as const;
