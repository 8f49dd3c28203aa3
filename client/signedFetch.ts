// `signedFetch`: `fetch`, signed with SigV4 for API Gateway's AWS_IAM routes; the response body streams as it arrives.
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { EXECUTE_API_SERVICE, MissingRegionError, regionFromUrl } from "./signingScope";

/** AWS credentials, as the AWS SDK's credential providers return them. */
export interface AwsCredentials {
  /** The access key id. */
  readonly accessKeyId: string;
  /** The secret access key. */
  readonly secretAccessKey: string;
  /** The session token of temporary credentials. @default none (long-term credentials) */
  readonly sessionToken?: string;
  /** When temporary credentials expire. @default none */
  readonly expiration?: Date;
}

/** A function returning credentials, such as the AWS SDK's providers (`fromIni()`, `fromSSO()`...). */
export type AwsCredentialsProvider = () => Promise<AwsCredentials>;

/** Options of {@link signedFetch}. */
export interface SignedFetchOptions {
  /**
   * The credentials to sign with, or a provider of them.
   * @default the AWS SDK's default chain (`fromNodeProviderChain` of `@aws-sdk/credential-providers`): the
   *   environment, SSO and the shared config and credentials files, then container and instance roles
   */
  credentials?: AwsCredentials | AwsCredentialsProvider;
  /**
   * The region to sign for.
   * @default read from `https://{api-id}.execute-api.{region}.amazonaws.com` URLs; required for any other host
   *   (a custom domain, a local server)
   */
  region?: string;
  /** The service to sign for. @default "execute-api" */
  service?: string;
  /** The `fetch` that sends the signed request. @default globalThis.fetch */
  fetch?: typeof fetch;
}

const Sha256 = Hash.bind(null, "sha256");

/** Thrown when the default credential chain finds no credentials. */
export class MissingCredentialsError extends Error {
  override name = "MissingCredentialsError";
}

let defaultProvider: Promise<AwsCredentialsProvider> | undefined;

/** The AWS SDK's default chain, loaded on first use (it is large) and kept, so it caches and refreshes. */
function defaultCredentials(): Promise<AwsCredentialsProvider> {
  defaultProvider ??= import("@aws-sdk/credential-providers").then(({ fromNodeProviderChain }) => {
    const chain = fromNodeProviderChain();
    return () => chain();
  });
  return defaultProvider;
}

async function resolveCredentials(
  credentials: SignedFetchOptions["credentials"],
): Promise<AwsCredentials | AwsCredentialsProvider> {
  if (credentials !== undefined) return credentials;
  const chain = await defaultCredentials();
  try {
    return await chain();
  } catch (error) {
    throw new MissingCredentialsError(
      `signedFetch: the AWS SDK's default credential chain found no credentials (${(error as Error).message}). ` +
        "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or sign in with `aws sso login`; " +
        "or pass options.credentials.",
      { cause: error },
    );
  }
}

/**
 * Sends a request signed with AWS Signature Version 4, for an API Gateway route with `AWS_IAM` authorization,
 * and returns the web `Response` as soon as its status and headers arrive: read `response.body` to get each
 * chunk as the function sends it. Takes what `fetch` takes. The request body is read whole before signing (the
 * signature covers its hash, and API Gateway does not stream requests). Nothing is retried: a streamed request
 * may have had effects, so whether to send it again is the caller's call.
 * @param url The URL to call, e.g. the stack's `apiUrl` output.
 * @param init As for `fetch`: method, headers, body, signal... @default a GET
 * @param options Credentials, region and service; see {@link SignedFetchOptions}. @default {}
 * @throws {TypeError} For a URL that cannot be parsed, or a failed connection (as `fetch` does).
 * @throws {MissingRegionError} When no region is given and the URL names none.
 * @throws {MissingCredentialsError} When no credentials are given and the default chain finds none.
 */
export async function signedFetch(
  url: string | URL,
  init: RequestInit = {},
  options: SignedFetchOptions = {},
): Promise<Response> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new TypeError(`signedFetch(url): ${JSON.stringify(String(url))} is not an absolute URL.`);
  }
  const region = options.region ?? regionFromUrl(target);
  if (region === undefined) throw new MissingRegionError(target.host, "options.region");
  const request = new Request(target, init);
  const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => (headers[name] = value));
  headers.host = target.host;
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of target.searchParams) {
    const previous = query[name];
    query[name] =
      previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  const signer = new SignatureV4({
    credentials: await resolveCredentials(options.credentials),
    region,
    service: options.service ?? EXECUTE_API_SERVICE,
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: request.method,
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port === "" ? undefined : Number(target.port),
    path: target.pathname,
    query,
    headers,
    body,
  });
  // `fetch` sets Host itself, from the URL: the same value as signed.
  const sent = new Headers();
  for (const [name, value] of Object.entries(signed.headers)) if (name !== "host") sent.set(name, value);
  return (options.fetch ?? fetch)(target, { ...init, method: request.method, headers: sent, body });
}
