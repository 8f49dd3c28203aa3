// The cors argument, checked as the runtime checks it and completed with the preflight's defaults.
import { DEFAULTS, HTTP_METHODS } from "./args";
import { isIntegerIn, isPlainObject, type Fail } from "./checks";
import { HttpMethod } from "./enums";

/** The function environment variable the runtime reads the CORS settings from (runtime/cors.ts). */
export const CORS_SETTINGS_VARIABLE = "STREAMING_REST_API_CORS";

/** The cors argument, checked, with every default applied. */
export interface ResolvedCors {
  /** Exact lower-case URL origins, or the one entry `*`. */
  readonly allowOrigins: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly allowMethods: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly allowCredentials: boolean;
  readonly maxAge: number;
}

/** An RFC 9110 token without `'`, which would end the quoted literal of an API Gateway parameter mapping. */
const HEADER_NAME = /^[!#$%&*+.^_`|~0-9A-Za-z-]+$/;

/** Methods a preflight may list: API Gateway's (ANY aside), or `*`. */
const PREFLIGHT_METHODS: readonly string[] = [...HTTP_METHODS.filter((method) => method !== "ANY"), "*"];

/**
 * Checks the cors argument and fills in its defaults: the local server's preflight headers and max age, and
 * the route's method with OPTIONS (every method for ANY). Origins are refused as the runtime's parser
 * (runtime/cors.ts) refuses them, so a deployment never hands the function settings it cannot start with.
 * @returns The settings, or `undefined` without cors.
 */
export function resolveCors(raw: unknown, method: HttpMethod, fail: Fail): ResolvedCors | undefined {
  if (raw === undefined) return undefined;
  if (!isPlainObject(raw)) {
    return fail(
      "cors",
      'cors must be an object of settings, e.g. { allowOrigins: ["https://app.example.com"] }.',
    );
  }
  if (method === HttpMethod.Options) {
    fail(
      "cors",
      'cors answers preflights with an OPTIONS method of its own on the route, so the route\'s method cannot be "OPTIONS". ' +
        "Choose another method, or leave cors unset and answer OPTIONS in your handler.",
    );
  }
  const allowOrigins = resolveOrigins(raw["allowOrigins"], fail);
  const allowCredentials = raw["allowCredentials"] ?? false;
  if (typeof allowCredentials !== "boolean") {
    fail(
      "cors.allowCredentials",
      `cors.allowCredentials must be true or false (got ${typeof allowCredentials}).`,
    );
  }
  if (allowCredentials === true && allowOrigins.includes("*")) {
    fail(
      "cors.allowOrigins",
      'cors.allowOrigins is ["*"] with allowCredentials: browsers refuse credentials for the origin "*". List the ' +
        "origins that may send credentials, or set allowCredentials to false.",
    );
  }
  const maxAge = raw["maxAge"] ?? DEFAULTS.corsMaxAge;
  if (!isIntegerIn(maxAge, 0, Number.MAX_SAFE_INTEGER)) {
    fail("cors.maxAge", `cors.maxAge must be a whole number of seconds, 0 or more (got ${String(maxAge)}).`);
  }
  const allowHeaders = headerList(raw["allowHeaders"], "cors.allowHeaders", fail) ?? [
    ...DEFAULTS.corsAllowHeaders,
  ];
  const exposeHeaders = headerList(raw["exposeHeaders"], "cors.exposeHeaders", fail) ?? [];
  const allowMethods = methodList(raw["allowMethods"], fail) ?? defaultMethods(method);
  return {
    allowOrigins,
    allowHeaders,
    allowMethods,
    exposeHeaders,
    allowCredentials: allowCredentials as boolean,
    maxAge: maxAge as number,
  };
}

/**
 * The JSON the function receives in `STREAMING_REST_API_CORS`: every field, in the order the runtime's
 * parser documents them.
 */
export function corsSettingsJson(cors: ResolvedCors): string {
  return JSON.stringify({
    allowOrigins: cors.allowOrigins,
    allowHeaders: cors.allowHeaders,
    allowMethods: cors.allowMethods,
    exposeHeaders: cors.exposeHeaders,
    allowCredentials: cors.allowCredentials,
    maxAge: cors.maxAge,
  });
}

/** The route's method and OPTIONS, or every method for ANY: what the local server's preflight allows. */
function defaultMethods(method: HttpMethod): string[] {
  return method === HttpMethod.Any
    ? HTTP_METHODS.filter((candidate) => candidate !== HttpMethod.Any)
    : [method, HttpMethod.Options];
}

function resolveOrigins(raw: unknown, fail: Fail): string[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    return fail(
      "cors.allowOrigins",
      'cors.allowOrigins must be a non-empty list of origins, e.g. ["https://app.example.com"] (or ["*"] for any).',
    );
  }
  const seen = new Set<string>();
  raw.forEach((origin: unknown, index) => {
    if (typeof origin !== "string" || (origin !== "*" && !isUrlOrigin(origin))) {
      fail(
        "cors.allowOrigins",
        `cors.allowOrigins[${index}] ${JSON.stringify(origin)} is not a URL origin: write scheme://host[:port] in ` +
          'lower case, without a path or trailing slash (e.g. "https://app.example.com"), or "*" alone.',
      );
    }
    if (seen.has(origin as string)) {
      fail("cors.allowOrigins", `cors.allowOrigins lists ${JSON.stringify(origin)} twice. Remove one.`);
    }
    seen.add(origin as string);
  });
  if (seen.has("*") && raw.length > 1) {
    fail(
      "cors.allowOrigins",
      'cors.allowOrigins mixes "*" with origins: "*" already allows every origin. Use ["*"] alone, or list the origins.',
    );
  }
  return [...(raw as string[])];
}

/** Whether `text` is exactly a serialized URL origin, as browsers send `Origin` (the runtime's test). */
function isUrlOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return url.origin !== "null" && url.origin === text;
  } catch {
    return false;
  }
}

function headerList(raw: unknown, argument: string, fail: Fail): string[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) {
    return fail(
      argument,
      `${argument} must be a list of header names, e.g. ["Content-Type"] (got ${typeof raw}).`,
    );
  }
  raw.forEach((name: unknown, index) => {
    if (typeof name !== "string" || !HEADER_NAME.test(name)) {
      fail(
        argument,
        `${argument}[${index}] ${JSON.stringify(name)} is not a header name: use letters, digits and ` +
          '!#$%&*+.^_`|~- (no spaces, quotes or commas), e.g. "X-Request-Id".',
      );
    }
  });
  return [...(raw as string[])];
}

function methodList(raw: unknown, fail: Fail): string[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length === 0) {
    return fail(
      "cors.allowMethods",
      'cors.allowMethods must be a non-empty list of methods, e.g. ["GET", "OPTIONS"].',
    );
  }
  raw.forEach((method: unknown, index) => {
    if (typeof method !== "string" || !PREFLIGHT_METHODS.includes(method)) {
      fail(
        "cors.allowMethods",
        `cors.allowMethods[${index}] ${JSON.stringify(method)} is not a method: use ${PREFLIGHT_METHODS.join(", ")} ` +
          "(upper case).",
      );
    }
  });
  return [...(raw as string[])];
}
