// The web Response a client gets from API Gateway for an invocation's first answer, mapped as the local server does.
import {
  GatewayErrors,
  headFromPrelude,
  MalformedProxyResponseError,
  parseProxyResult,
  type GatewayError,
  type ResponseHead,
} from "../local/gateway/responseMapping";
import { OCTET_STREAM_CONTENT_TYPE } from "../runtime/protocol";
import type { InMemoryOutcome } from "./inMemoryRuntimeApi";

/** Statuses whose responses have no body (the Fetch standard refuses one). */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);
// Characters a `Headers` value (a byte string) cannot carry as they are.
const BEYOND_LATIN1 = /[\u0100-\uffff]/;

/** What the mapping needs to know about the request. */
export interface GatewayRequest {
  /** The request method, upper case: a `HEAD` response has no body. */
  readonly method: string;
  /** API Gateway's request id, sent as `x-amzn-RequestId`. */
  readonly gatewayRequestId: string;
}

/**
 * The response API Gateway (as the local server emulates it) sends for an invocation's first answer: a
 * streamed response with its prelude's status and headers (framing headers dropped, every `Set-Cookie` and
 * multi-value header on its own line) and its body as it arrives; a buffered proxy result as it describes; a
 * failed invocation, or a reply API Gateway cannot read, as `502 {"message":"Internal server error"}`.
 * @param outcome The invocation's first answer.
 * @param request The request's method and API Gateway's request id.
 * @throws RangeError For a status from 100 to 199, which a web `Response` cannot carry.
 */
export function gatewayResponse(outcome: InMemoryOutcome, request: GatewayRequest): Response {
  switch (outcome.kind) {
    case "failed":
      return gatewayError(GatewayErrors.internal, request.gatewayRequestId);
    case "buffered": {
      let result;
      try {
        result = parseProxyResult(outcome.body);
      } catch (error) {
        if (!(error instanceof MalformedProxyResponseError)) throw error;
        return gatewayError(GatewayErrors.internal, request.gatewayRequestId);
      }
      const head = withRequestId(result.head, request.gatewayRequestId);
      head.headers["Content-Length"] = [String(result.body.length)];
      return webResponse(head, hasBody(head, request) ? result.body : null);
    }
    case "streamed": {
      const head = withRequestId(
        outcome.prelude
          ? headFromPrelude(outcome.prelude)
          : { statusCode: 200, headers: { "Content-Type": [OCTET_STREAM_CONTENT_TYPE] } },
        request.gatewayRequestId,
      );
      if (hasBody(head, request)) return webResponse(head, outcome.stream.body);
      // Nobody reads it: the handler still writes to its end, and is never held up.
      outcome.stream.discard();
      return webResponse(head, null);
    }
  }
}

/**
 * An error response API Gateway sends itself: JSON `{"message": ...}` with its request id.
 * @param error Status and message.
 * @param gatewayRequestId Sent as `x-amzn-RequestId`.
 */
export function gatewayError(error: GatewayError, gatewayRequestId: string): Response {
  return Response.json(
    { message: error.message },
    { status: error.statusCode, headers: { "x-amzn-RequestId": gatewayRequestId } },
  );
}

function hasBody(head: ResponseHead, request: GatewayRequest): boolean {
  return request.method !== "HEAD" && !NULL_BODY_STATUSES.has(head.statusCode);
}

function withRequestId(head: ResponseHead, gatewayRequestId: string): ResponseHead {
  const present = Object.keys(head.headers).some((name) => name.toLowerCase() === "x-amzn-requestid");
  return present ? head : { ...head, headers: { ...head.headers, "x-amzn-RequestId": [gatewayRequestId] } };
}

function webResponse(head: ResponseHead, body: ConstructorParameters<typeof Response>[0]): Response {
  if (head.statusCode < 200) {
    throw new RangeError(
      `the handler answered status ${head.statusCode}; a web Response cannot carry a 1xx status (invoke() maps ` +
        "responses to web Responses).",
    );
  }
  const headers = new Headers();
  for (const [name, values] of Object.entries(head.headers)) {
    // Text beyond Latin-1 goes out as its UTF-8 bytes, which a byte-string value shows one per character.
    for (const value of values) {
      headers.append(name, BEYOND_LATIN1.test(value) ? Buffer.from(value, "utf8").toString("latin1") : value);
    }
  }
  return new Response(body, { status: head.statusCode, headers });
}
