// CORS as the deployed API answers it: the settings' local defaults, preflights (the OPTIONS mock method), and
// the CORS headers API Gateway's own error responses carry. Streamed responses get theirs from the runtime.
import {
  allowedOrigin,
  checkCorsSettings,
  corsResponseHeaders,
  CorsSettingsError,
  type CorsSettings,
} from "../../runtime/cors";
import { API_GATEWAY_METHODS, type RouteMethod } from "./route";

/** Request headers a preflight allows when the settings name none: API Gateway's usual list, plus SigV4's. */
export const DEFAULT_CORS_ALLOW_HEADERS: readonly string[] = [
  "Content-Type",
  "X-Amz-Date",
  "Authorization",
  "X-Api-Key",
  "X-Amz-Security-Token",
  "X-Amz-Content-Sha256",
];

/** Seconds a browser may cache a preflight's answer when the settings name none. */
export const DEFAULT_CORS_MAX_AGE = 600;

/** The status a preflight is answered with. */
export const PREFLIGHT_STATUS = 204;

/**
 * The CORS settings the local server applies: `cors` when given, else the origins of
 * `LOCAL_LAMBDA_CORS_ORIGINS` (comma-separated), with defaults for what they leave out: the route's method
 * (every method for `ANY`) and `OPTIONS`, {@link DEFAULT_CORS_ALLOW_HEADERS}, {@link DEFAULT_CORS_MAX_AGE}.
 * @param cors The `cors` option, if given.
 * @param origins The value of `LOCAL_LAMBDA_CORS_ORIGINS`, if set.
 * @param method The route's method.
 * @returns The settings, or `undefined` when neither is set (no CORS).
 * @throws RangeError naming the option or variable, for an origin that is not a URL origin and the like.
 */
export function resolveLocalCors(
  cors: CorsSettings | undefined,
  origins: string | undefined,
  method: RouteMethod,
): CorsSettings | undefined {
  const source = cors !== undefined ? "cors" : "LOCAL_LAMBDA_CORS_ORIGINS";
  const given =
    cors ??
    (origins && origins.trim() !== ""
      ? { allowOrigins: origins.split(",").map((origin) => origin.trim()) }
      : undefined);
  if (given === undefined) return undefined;
  let checked: CorsSettings;
  try {
    checked = checkCorsSettings(given as unknown as Record<string, unknown>, source);
  } catch (error) {
    if (error instanceof CorsSettingsError) throw new RangeError(error.message, { cause: error });
    throw error;
  }
  return {
    ...checked,
    allowHeaders: checked.allowHeaders ?? [...DEFAULT_CORS_ALLOW_HEADERS],
    allowMethods: checked.allowMethods ?? (method === "ANY" ? [...API_GATEWAY_METHODS] : [method, "OPTIONS"]),
    maxAge: checked.maxAge ?? DEFAULT_CORS_MAX_AGE,
  };
}

/**
 * The headers of the answer to a preflight (`OPTIONS` on the route, no authorization), as the deployed OPTIONS
 * method's mock integration gives them: allowed methods, headers and max age, and, for an allowed origin,
 * `Access-Control-Allow-Origin` (and `-Allow-Credentials` when set). A browser refuses the preflight of an
 * origin that gets no `Access-Control-Allow-Origin`.
 * @param settings The CORS settings.
 * @param origin The request's `Origin` header, if any.
 */
export function preflightHeaders(settings: CorsSettings, origin: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  const allowOrigin = allowedOrigin(settings, origin);
  if (allowOrigin !== undefined) {
    headers["Access-Control-Allow-Origin"] = allowOrigin;
    if (allowOrigin !== "*") headers.Vary = "Origin";
    if (settings.allowCredentials) headers["Access-Control-Allow-Credentials"] = "true";
  }
  headers["Access-Control-Allow-Methods"] = (settings.allowMethods ?? API_GATEWAY_METHODS).join(",");
  headers["Access-Control-Allow-Headers"] = (settings.allowHeaders ?? DEFAULT_CORS_ALLOW_HEADERS).join(",");
  if (settings.maxAge !== undefined) headers["Access-Control-Max-Age"] = String(settings.maxAge);
  return headers;
}

/**
 * The CORS headers API Gateway's own error responses (403, 413, 502, 504...) carry, as the `DEFAULT_4XX` and
 * `DEFAULT_5XX` gateway responses are set up, so a page can read why its request failed. Empty without CORS
 * settings or for an origin that is not allowed.
 * @param settings The CORS settings, if any.
 * @param origin The request's `Origin` header, if any.
 */
export function gatewayErrorCorsHeaders(
  settings: CorsSettings | undefined,
  origin: string | undefined,
): Record<string, string> {
  if (settings === undefined) return {};
  return corsResponseHeaders(settings, origin) ?? {};
}
