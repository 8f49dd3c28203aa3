// Which requests reach the function: the deployed route (resource path and method), as API Gateway resolves it.

/** HTTP methods an API Gateway REST API method can have; `ANY` matches all the others. */
export const API_GATEWAY_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

/** A method of the local route: one of {@link API_GATEWAY_METHODS}, or `ANY`. */
export type RouteMethod = (typeof API_GATEWAY_METHODS)[number] | "ANY";

/** The route value that sends every path and method to the function. */
export const EVERY_PATH = "*";

/** The resource template API Gateway's greedy catch-all uses. */
export const PROXY_RESOURCE = "/{proxy+}";

/** The route the local server serves, like the one the component deploys. */
export interface LocalRoute {
  /**
   * Resource path: literal segments, `{name}` parameters and a last greedy `{name+}`, e.g. `/stream`,
   * `/items/{id}`, `/{proxy+}`; or {@link EVERY_PATH}.
   */
  readonly path: string;
  /** The route's method; `ANY` matches every method API Gateway knows. */
  readonly method: RouteMethod;
}

/** The resource a request resolves to, and the path parameters it binds. */
export interface ResourceMatch {
  /** Resource template, e.g. `/stream`, `/items/{id}`, `/{proxy+}`. */
  resource: string;
  /** Bound path parameters (decoded), or `null` when the resource has none. */
  pathParameters: Record<string, string> | null;
}

/**
 * Resolves a request as API Gateway resolves it against an API with this one route: the route's resource and
 * bound parameters when path and method match, `undefined` otherwise (API Gateway then answers 403 "Missing
 * Authentication Token"). With {@link EVERY_PATH}, any method of any path matches: `/` for the root, the
 * greedy `/{proxy+}` (the whole path in `pathParameters.proxy`) for the rest.
 * @param route The route served.
 * @param method The request's method.
 * @param path The request path, without query string.
 */
export function resolveRoute(route: LocalRoute, method: string, path: string): ResourceMatch | undefined {
  if (!(API_GATEWAY_METHODS as readonly string[]).includes(method)) return undefined;
  if (route.path === EVERY_PATH) return catchAll(path);
  if (route.method !== "ANY" && route.method !== method) return undefined;
  const bound = matchTemplate(route.path, path);
  if (!bound) return undefined;
  return { resource: route.path, pathParameters: Object.keys(bound).length > 0 ? bound : null };
}

/** The resource of an API with ANY on its root and on `/{proxy+}`. */
export function catchAll(path: string): ResourceMatch {
  if (path === "/" || path === "") return { resource: "/", pathParameters: null };
  return { resource: PROXY_RESOURCE, pathParameters: { proxy: decodeSegment(path.slice(1)) } };
}

/**
 * Why `path` cannot be a route, or `undefined` when it can: it must be {@link EVERY_PATH} or start with `/`,
 * with a greedy `{name+}` only as the last segment.
 */
export function routeProblem(path: string): string | undefined {
  if (path === EVERY_PATH) return undefined;
  if (!path.startsWith("/")) return `must start with "/" (or be "${EVERY_PATH}" for every path)`;
  const segments = path.split("/").filter((s) => s !== "");
  const greedy = segments.findIndex((s) => /^\{.+\+\}$/.test(s));
  if (greedy !== -1 && greedy !== segments.length - 1)
    return "may have a greedy {name+} only as its last segment";
  return undefined;
}

function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  const want = template.split("/").filter((s) => s !== "");
  const got = path.split("/").filter((s) => s !== "");
  const bound: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const greedy = /^\{(.+)\+\}$/.exec(segment);
    if (greedy?.[1] !== undefined && i === want.length - 1) {
      if (got.length <= i) return undefined;
      bound[greedy[1]] = decodeSegment(got.slice(i).join("/"));
      return bound;
    }
    const actual = got[i];
    if (actual === undefined) return undefined;
    const param = /^\{(.+)\}$/.exec(segment);
    if (param?.[1] !== undefined) bound[param[1]] = decodeSegment(actual);
    else if (segment !== actual) return undefined;
  }
  return got.length === want.length ? bound : undefined;
}

function decodeSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
