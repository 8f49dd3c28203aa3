// CORS on streamed responses: the settings the component hands the function, and the headers each request gets.
//
// In STREAM mode API Gateway applies no response mapping, so the CORS headers of a streamed response must come
// from the function's own prelude. The component passes its `cors` argument as JSON in
// `STREAMING_REST_API_CORS`; the runtime reads it once at start and adds the headers to every response whose
// request's `Origin` is allowed, unless the handler set an `Access-Control-*` header itself.
import type { BufferedLambdaHandler, ResolvedHandler } from "./handler";
import type { StreamingLambdaStatusAndHeadersResponse } from "./prelude";
import { OCTET_STREAM_CONTENT_TYPE } from "./protocol";
import { headerValue } from "./restApiEvent";

/** The function environment variable holding the CORS settings, as JSON; absent means no CORS. */
export const CORS_SETTINGS_VARIABLE = "STREAMING_REST_API_CORS";

/** CORS settings: the component's `cors` argument, as the function receives it. */
export interface CorsSettings {
  /** Origins allowed to read responses (`https://app.example.com`), or `["*"]` for any. */
  allowOrigins: string[];
  /** Request headers a preflight allows. @default none (API Gateway's preflight decides) */
  allowHeaders?: string[];
  /** Methods a preflight allows. @default none (API Gateway's preflight decides) */
  allowMethods?: string[];
  /** Response headers a page's script may read, beyond the CORS-safelisted ones. @default none */
  exposeHeaders?: string[];
  /** Whether requests with credentials (cookies, HTTP auth) may read responses. Not with `*`. @default false */
  allowCredentials?: boolean;
  /** How long, in seconds, a browser may cache a preflight's answer. @default none (the browser's own) */
  maxAge?: number;
}

/** A streamed response's prelude as the handler wrote it (`undefined`: it wrote none), completed for sending. */
export type PreludeHook = (
  prelude: StreamingLambdaStatusAndHeadersResponse | undefined,
) => StreamingLambdaStatusAndHeadersResponse | undefined;

/** Thrown for CORS settings that cannot be used: not JSON, a wrong shape, an origin that is not an origin. */
export class CorsSettingsError extends Error {
  override name = "CorsSettingsError";
}

/**
 * Reads the CORS settings from the function's environment.
 * @param env The environment; `STREAMING_REST_API_CORS` is read.
 * @returns The settings, or `undefined` when the variable is absent or empty (no CORS).
 * @throws {CorsSettingsError} When the variable holds anything but valid settings, naming it.
 */
export function corsSettingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): CorsSettings | undefined {
  const text = env[CORS_SETTINGS_VARIABLE];
  if (text === undefined || text.trim() === "") return undefined;
  return parseCorsSettings(text);
}

/**
 * The CORS policy the function's environment sets, if any.
 * @param env The environment; `STREAMING_REST_API_CORS` is read.
 * @throws {CorsSettingsError} As {@link corsSettingsFromEnv}.
 */
export function corsPolicyFromEnv(env: Readonly<Record<string, string | undefined>>): CorsPolicy | undefined {
  const settings = corsSettingsFromEnv(env);
  return settings === undefined ? undefined : new CorsPolicy(settings);
}

/**
 * Parses and checks CORS settings given as JSON.
 * @param text The JSON text.
 * @param source How to name where the text came from in errors. @default "STREAMING_REST_API_CORS"
 * @throws {CorsSettingsError} For text that is not JSON, a wrong shape, an entry of `allowOrigins` that is
 *   neither `*` nor a URL origin (`scheme://host[:port]`), or `allowCredentials` with `*`.
 */
export function parseCorsSettings(text: string, source: string = CORS_SETTINGS_VARIABLE): CorsSettings {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CorsSettingsError(
      `${source} is not valid JSON (${(error as Error).message}); the StreamingRestApi component sets it from ` +
        `its cors argument: redeploy, or fix or unset the variable.`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CorsSettingsError(
      `${source} must be a JSON object with allowOrigins, got ${text.slice(0, 80)}.`,
    );
  }
  return checkCorsSettings(value as Record<string, unknown>, source);
}

/**
 * Checks settings built in code (the local server's) as {@link parseCorsSettings} checks parsed ones.
 * @param value The settings to check.
 * @param source How to name them in errors, e.g. `cors` or `LOCAL_LAMBDA_CORS_ORIGINS`.
 * @throws {CorsSettingsError} Naming the first problem found.
 */
export function checkCorsSettings(value: Readonly<Record<string, unknown>>, source: string): CorsSettings {
  const allowOrigins = stringList(value, "allowOrigins", source);
  if (allowOrigins === undefined || allowOrigins.length === 0) {
    throw new CorsSettingsError(`${source}.allowOrigins must be a non-empty array of origins (or ["*"]).`);
  }
  for (const origin of allowOrigins) {
    if (origin !== "*" && !isUrlOrigin(origin)) {
      throw new CorsSettingsError(
        `${source}.allowOrigins: ${JSON.stringify(origin)} is not a URL origin; write scheme://host[:port] ` +
          `in lower case, without a path or trailing slash (e.g. "https://app.example.com"), or "*".`,
      );
    }
  }
  const allowCredentials = value.allowCredentials ?? false;
  if (typeof allowCredentials !== "boolean") {
    throw new CorsSettingsError(`${source}.allowCredentials must be a boolean.`);
  }
  if (allowCredentials && allowOrigins.includes("*")) {
    throw new CorsSettingsError(
      `${source}: allowCredentials cannot be used with the origin "*" (browsers refuse it); list the origins.`,
    );
  }
  const maxAge = value.maxAge;
  if (maxAge !== undefined && (typeof maxAge !== "number" || !Number.isInteger(maxAge) || maxAge < 0)) {
    throw new CorsSettingsError(`${source}.maxAge must be a whole number of seconds, 0 or more.`);
  }
  const settings: CorsSettings = { allowOrigins, allowCredentials };
  const allowHeaders = stringList(value, "allowHeaders", source);
  const allowMethods = stringList(value, "allowMethods", source);
  const exposeHeaders = stringList(value, "exposeHeaders", source);
  if (allowHeaders) settings.allowHeaders = allowHeaders;
  if (allowMethods) settings.allowMethods = allowMethods;
  if (exposeHeaders) settings.exposeHeaders = exposeHeaders;
  if (maxAge !== undefined) settings.maxAge = maxAge as number;
  return settings;
}

function stringList(
  value: Readonly<Record<string, unknown>>,
  field: string,
  source: string,
): string[] | undefined {
  const list = value[field];
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list) || !list.every((item) => typeof item === "string" && item !== "")) {
    throw new CorsSettingsError(`${source}.${field} must be an array of non-empty strings.`);
  }
  return [...(list as string[])];
}

/** Whether `text` is exactly a serialized URL origin: `scheme://host[:port]`, as browsers send `Origin`. */
function isUrlOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return url.origin !== "null" && url.origin === text;
  } catch {
    return false;
  }
}

/**
 * The `Access-Control-Allow-Origin` value a request from `origin` gets: the origin itself when listed, `*` when
 * any origin is allowed without credentials, or `undefined` (no CORS headers) when it is not allowed or absent.
 * @param settings The CORS settings.
 * @param origin The request's `Origin` header, if any.
 */
export function allowedOrigin(settings: CorsSettings, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  if (settings.allowOrigins.includes("*")) return settings.allowCredentials ? origin : "*";
  const wanted = origin.toLowerCase();
  return settings.allowOrigins.some((allowed) => allowed.toLowerCase() === wanted) ? origin : undefined;
}

/**
 * The CORS headers of an actual (not preflight) response to a request from `origin`:
 * `Access-Control-Allow-Origin`, `Vary: Origin` when the answer depends on the origin,
 * `Access-Control-Allow-Credentials` and `Access-Control-Expose-Headers` when set.
 * @param settings The CORS settings.
 * @param origin The request's `Origin` header, if any.
 * @returns The headers, or `undefined` when the origin is absent or not allowed.
 */
export function corsResponseHeaders(
  settings: CorsSettings,
  origin: string | undefined,
): Record<string, string> | undefined {
  const allowOrigin = allowedOrigin(settings, origin);
  if (allowOrigin === undefined) return undefined;
  const headers: Record<string, string> = { "Access-Control-Allow-Origin": allowOrigin };
  if (allowOrigin !== "*") headers.Vary = "Origin";
  if (settings.allowCredentials) headers["Access-Control-Allow-Credentials"] = "true";
  if (settings.exposeHeaders && settings.exposeHeaders.length > 0) {
    headers["Access-Control-Expose-Headers"] = settings.exposeHeaders.join(", ");
  }
  return headers;
}

/**
 * The `Origin` request header of a REST API (payload 1.0) event, looked up case-insensitively in `headers`,
 * then in `multiValueHeaders`.
 * @param event The parsed event (anything: a non-event has no origin).
 */
export function originOfEvent(event: unknown): string | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const { headers, multiValueHeaders } = event as { headers?: unknown; multiValueHeaders?: unknown };
  const single = isRecord(headers) ? headerValue(headers as Record<string, string>, "origin") : undefined;
  if (typeof single === "string") return single;
  const multi = isRecord(multiValueHeaders)
    ? (headerValue(multiValueHeaders as Record<string, never>, "origin") as unknown)
    : undefined;
  return Array.isArray(multi) && typeof multi[0] === "string" ? multi[0] : undefined;
}

/** {@link originOfEvent} of an event's raw bytes; bytes that are not JSON have no origin. */
function originOfEventBytes(event: Buffer): string | undefined {
  try {
    return originOfEvent(JSON.parse(event.toString("utf8")));
  } catch {
    return undefined;
  }
}

/**
 * Adds CORS headers to a prelude, unless the handler set any `Access-Control-*` header itself (then the prelude
 * is returned as is). `Vary` is merged with one the handler set. The prelude given is not modified.
 * @param prelude The prelude the handler wrote.
 * @param cors The headers to add (see {@link corsResponseHeaders}).
 */
export function withCorsHeaders(
  prelude: StreamingLambdaStatusAndHeadersResponse,
  cors: Readonly<Record<string, string>>,
): StreamingLambdaStatusAndHeadersResponse {
  const headers: Record<string, string> = { ...(prelude.headers ?? {}) };
  const multiValueHeaders: Record<string, string[]> = { ...(prelude.multiValueHeaders ?? {}) };
  if (hasAccessControlHeader(headers) || hasAccessControlHeader(multiValueHeaders)) return prelude;
  for (const [name, value] of Object.entries(cors)) {
    if (name === "Vary" && mergeVary(headers, multiValueHeaders, value)) continue;
    headers[name] = value;
  }
  const completed: StreamingLambdaStatusAndHeadersResponse = { ...prelude, headers };
  if (prelude.multiValueHeaders) completed.multiValueHeaders = multiValueHeaders;
  return completed;
}

function hasAccessControlHeader(headers: Readonly<Record<string, unknown>>): boolean {
  return Object.keys(headers).some((name) => name.toLowerCase().startsWith("access-control-"));
}

/** Adds `value` to a `Vary` header the handler set; false when it set none. */
function mergeVary(headers: Record<string, string>, multi: Record<string, string[]>, value: string): boolean {
  const multiName = Object.keys(multi).find((name) => name.toLowerCase() === "vary");
  if (multiName !== undefined) {
    const list = multi[multiName] ?? [];
    if (!varies(list.join(","), value)) multi[multiName] = [...list, value];
    return true;
  }
  const name = Object.keys(headers).find((key) => key.toLowerCase() === "vary");
  if (name === undefined) return false;
  const current = headers[name] ?? "";
  if (!varies(current, value)) headers[name] = current.trim() === "" ? value : `${current}, ${value}`;
  return true;
}

function varies(list: string, name: string): boolean {
  return list.split(",").some((item) => ["*", name.toLowerCase()].includes(item.trim().toLowerCase()));
}

/**
 * The CORS settings in force in a function, applied to its invocations: a prelude hook for each streamed
 * response, and a wrapper for buffered handlers' proxy results.
 */
export class CorsPolicy {
  /** @param settings Checked settings (see {@link corsSettingsFromEnv}). */
  constructor(readonly settings: CorsSettings) {}

  /**
   * The prelude hook for one invocation's streamed response, or `undefined` when its request gets no CORS
   * headers (no `Origin`, or one not allowed). A response the handler starts without a prelude gets one: status
   * 200, `Content-Type: application/octet-stream` (what it would have had) and the CORS headers.
   * @param event The invocation's raw event bytes (a REST API payload 1.0 event).
   */
  preludeHookFor(event: Buffer): PreludeHook | undefined {
    const cors = corsResponseHeaders(this.settings, originOfEventBytes(event));
    if (cors === undefined) return undefined;
    return (prelude) =>
      prelude === undefined
        ? { statusCode: 200, headers: { "Content-Type": OCTET_STREAM_CONTENT_TYPE, ...cors } }
        : withCorsHeaders(prelude, cors);
  }

  /**
   * The handler with this policy applied: a buffered one is wrapped (see {@link bufferedHandler}); a streaming
   * one is returned as is (its responses get their headers through {@link preludeHookFor}).
   * @param handler The resolved handler.
   */
  handler(handler: ResolvedHandler): ResolvedHandler {
    return handler.kind === "buffered" ? this.bufferedHandler(handler) : handler;
  }

  /**
   * Wraps a buffered handler so that a Lambda proxy result it returns (an object with a numeric `statusCode`)
   * carries the CORS headers for its event's origin, unless it set `Access-Control-*` headers itself. Other
   * results are returned unchanged.
   * @param buffered The handler made by `buffered(fn)`.
   */
  bufferedHandler(buffered: BufferedLambdaHandler<never, unknown>): BufferedLambdaHandler<never, unknown> {
    const handler = buffered.handler;
    return {
      kind: "buffered",
      handler: async (event, context) => {
        const result = await handler(event, context);
        const cors = corsResponseHeaders(this.settings, originOfEvent(event));
        return cors === undefined ? result : withCorsOnProxyResult(result, cors);
      },
    };
  }
}

function withCorsOnProxyResult(result: unknown, cors: Readonly<Record<string, string>>): unknown {
  if (!isRecord(result) || typeof result.statusCode !== "number") return result;
  const headers = isRecord(result.headers) ? (result.headers as Record<string, string>) : undefined;
  const multiValueHeaders = isRecord(result.multiValueHeaders)
    ? (result.multiValueHeaders as Record<string, string[]>)
    : undefined;
  const completed = withCorsHeaders({ statusCode: result.statusCode, headers, multiValueHeaders }, cors);
  if (completed.headers === headers) return result;
  const out: Record<string, unknown> = { ...result, headers: completed.headers };
  if (multiValueHeaders) out.multiValueHeaders = completed.multiValueHeaders;
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
