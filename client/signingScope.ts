// Where a request is signed for: the AWS region and service, read from an API Gateway URL or given explicitly.

/** The service API Gateway checks signatures for when an API is invoked. */
export const EXECUTE_API_SERVICE = "execute-api";

// `{api-id}.execute-api.{region}.amazonaws.com`, private APIs' `...execute-api.{region}.vpce.amazonaws.com`,
// and the China regions' `.amazonaws.com.cn`.
const EXECUTE_API_HOST = /\.execute-api\.([a-z0-9-]+)\.(?:vpce\.)?amazonaws\.com(?:\.cn)?$/i;

/**
 * The region an API Gateway URL names, e.g. `eu-west-1` for `https://abc123.execute-api.eu-west-1.amazonaws.com`.
 * @param url The URL called.
 * @returns The region, or `undefined` for any other host (a custom domain, a local server).
 */
export function regionFromUrl(url: URL): string | undefined {
  return EXECUTE_API_HOST.exec(url.hostname)?.[1]?.toLowerCase();
}

/** Thrown when the region to sign for is neither given nor readable from the URL. */
export class MissingRegionError extends Error {
  override name = "MissingRegionError";
  /**
   * @param host The URL's host.
   * @param option How the caller gives a region, e.g. `options.region` or `--region`.
   */
  constructor(host: string, option: string) {
    super(
      `cannot tell the AWS region to sign for from ${host}: only https://{api-id}.execute-api.{region}.amazonaws.com ` +
        `URLs name it. Give ${option} (e.g. "eu-west-1") for a custom domain or a local server.`,
    );
  }
}
