// REST API proxy events (payload format 1.0) as a handler receives them: parsed, checked, body and headers read.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";

export type { APIGatewayProxyEvent, APIGatewayProxyResult };

/** Thrown by {@link parseRestApiEvent} for input that is not a REST API (payload 1.0) proxy event. */
export class InvalidEventError extends Error {
  override name = "InvalidEventError";
}

/**
 * Parses the event a REST API proxy integration sends (payload format 1.0) and checks its shape, so a handler
 * fails with a clear message rather than deep inside its own code. Fields API Gateway may leave out or set to
 * `null` are normalised: `headers` and `multiValueHeaders` become `{}`, `body` `null`, `isBase64Encoded` `false`.
 * @param event The event's raw bytes, as a streaming handler receives them.
 * @throws {InvalidEventError} When the bytes are not JSON or not a payload 1.0 event (an HTTP API's payload
 *   2.0 event is named as such).
 */
export function parseRestApiEvent(event: Buffer): APIGatewayProxyEvent {
  let value: unknown;
  try {
    value = JSON.parse(event.toString("utf8"));
  } catch (error) {
    throw new InvalidEventError(`event is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(value)) throw new InvalidEventError("event must be a JSON object (a REST API proxy event).");
  if (value.version === "2.0" || "rawPath" in value || "routeKey" in value) {
    throw new InvalidEventError(
      "event is an HTTP API (payload format 2.0) event; a REST API proxy integration sends payload format 1.0.",
    );
  }
  for (const field of ["httpMethod", "path", "resource"] as const) {
    if (typeof value[field] !== "string") {
      throw new InvalidEventError(`event.${field} must be a string; is this a REST API proxy event?`);
    }
  }
  if (!isObject(value.requestContext)) throw new InvalidEventError("event.requestContext must be an object.");
  const headers = stringMap(value, "headers") ?? {};
  const multiValueHeaders = stringListMap(value, "multiValueHeaders") ?? {};
  const queryStringParameters = stringMap(value, "queryStringParameters");
  const multiValueQueryStringParameters = stringListMap(value, "multiValueQueryStringParameters");
  const pathParameters = stringMap(value, "pathParameters");
  const stageVariables = stringMap(value, "stageVariables");
  const body = value.body ?? null;
  if (body !== null && typeof body !== "string")
    throw new InvalidEventError("event.body must be a string or null.");
  const isBase64Encoded = value.isBase64Encoded ?? false;
  if (typeof isBase64Encoded !== "boolean")
    throw new InvalidEventError("event.isBase64Encoded must be a boolean.");
  return {
    ...(value as unknown as APIGatewayProxyEvent),
    headers,
    multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    pathParameters,
    stageVariables,
    body,
    isBase64Encoded,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringMap(event: Record<string, unknown>, field: string): Record<string, string> | null {
  const map = event[field];
  if (map === undefined || map === null) return null;
  if (!isObject(map) || !Object.values(map).every((v) => typeof v === "string")) {
    throw new InvalidEventError(`event.${field} must be an object of strings or null.`);
  }
  return map as Record<string, string>;
}

function stringListMap(event: Record<string, unknown>, field: string): Record<string, string[]> | null {
  const map = event[field];
  if (map === undefined || map === null) return null;
  const valid =
    isObject(map) &&
    Object.values(map).every((list) => Array.isArray(list) && list.every((v) => typeof v === "string"));
  if (!valid) throw new InvalidEventError(`event.${field} must be an object of string arrays or null.`);
  return map as Record<string, string[]>;
}

/**
 * The request body of an event as bytes: base64-decoded when `isBase64Encoded`, UTF-8 otherwise, empty when
 * there is none.
 * @param event A REST API proxy event.
 */
export function restApiEventBody(event: Pick<APIGatewayProxyEvent, "body" | "isBase64Encoded">): Buffer {
  if (event.body === null || event.body === undefined) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? "base64" : "utf8");
}

/**
 * A request header's value, looked up case-insensitively (REST API events keep the client's header casing).
 * With repeated headers this is the last value; see `multiValueHeaders` for all of them.
 * @param event A REST API proxy event.
 * @param name Header name, any case.
 */
export function restApiEventHeader(
  event: Pick<APIGatewayProxyEvent, "headers">,
  name: string,
): string | undefined {
  return headerValue(event.headers, name);
}

/**
 * A header's value from a headers object, looked up case-insensitively; `undefined` when absent.
 * @param headers Header names (any casing) and values, or `null`.
 * @param name Header name, any case.
 */
export function headerValue(
  headers: Readonly<Record<string, string | undefined>> | null,
  name: string,
): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}
