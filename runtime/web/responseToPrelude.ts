// The status/headers prelude of a web `Response`: its status, every header, every Set-Cookie on a line of its own.
import type { StreamingLambdaStatusAndHeadersResponse } from "../prelude";

/**
 * The prelude that sends a `Response`'s status and headers through API Gateway.
 *
 * Headers are read as the Fetch standard gives them: lower-case names, and a header the app set several times
 * as one value joined with `, ` (what RFC 9110 says they mean), except `Set-Cookie`, whose values cannot be
 * joined: `getSetCookie()` gives each one, and each goes out as its own `Set-Cookie` line.
 *
 * Cookies go in `multiValueHeaders["set-cookie"]`, not in the prelude's `cookies`. API Gateway's guide for REST
 * API response streaming ("Configure a Lambda proxy integration with payload response streaming", the
 * `HttpResponseStream.from` example in response-streaming-lambda-configure.html) sends two cookies as
 * `multiValueHeaders: { "Set-Cookie": ["c1=blue", "c2=red"] }`, the field REST API (payload 1.0) responses
 * have always used for repeated headers. `cookies` is the HTTP API (payload 2.0) and function URL field;
 * Hono's own `streamHandle` (hono/aws-lambda) sends cookies there (honojs/hono#2921, fixed by #2926 after the
 * HTTP API documentation), which suits function URLs; REST is documented with `multiValueHeaders`.
 *
 * A header named `__proto__` is an own property of `headers`, as any other name.
 * @param response The app's response.
 */
export function responseToPrelude(response: Response): StreamingLambdaStatusAndHeadersResponse {
  const headers: Record<string, string> = {};
  let hasCookies = false;
  for (const [name, value] of response.headers) {
    if (name === "set-cookie") hasCookies = true;
    else if (name === "__proto__") Object.defineProperty(headers, name, ownProperty(value));
    else headers[name] = value;
  }
  const prelude: StreamingLambdaStatusAndHeadersResponse = { statusCode: response.status, headers };
  if (hasCookies) prelude.multiValueHeaders = { "set-cookie": response.headers.getSetCookie() };
  return prelude;
}

/** A property as an assignment would make it on an ordinary name. */
function ownProperty(value: string): PropertyDescriptor {
  return { value, enumerable: true, writable: true, configurable: true };
}
