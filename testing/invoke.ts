// invoke(handler, request): one invocation in-process, through the real runtime loop and API Gateway's mapping.
import { randomBytes, randomUUID } from "node:crypto";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { functionIdentity } from "../runtime/context";
import { resolveHandler, type AnyLambdaHandler } from "../runtime/handler";
import { runLoop, type RuntimeLogger } from "../runtime/loop";
import { InvocationHeader } from "../runtime/protocol";
import { binaryMediaTypeProblem } from "../local/gateway/binaryMediaTypes";
import { MAX_PAYLOAD_BYTES } from "../local/lambdaLimits";
import { gatewayError, gatewayResponse } from "./gatewayResponse";
import { InMemoryRuntimeApi } from "./inMemoryRuntimeApi";
import { invocationEvent } from "./invocationEvent";

/** Options of {@link invoke}. */
export interface InvokeOptions {
  /**
   * Time the invocation may run, in ms: `context.getRemainingTimeInMillis()` counts down from it, and when it
   * passes `context.signal` (and a fetch app's `request.signal`) aborts and the invocation fails as the runtime
   * fails it (a 502 before any byte, a body that errors after).
   * @default 60000 (the local server's default)
   */
  timeoutMs?: number;
  /**
   * Where the runtime's own lines go: a handler's error, by phase, and warnings.
   * @default console
   */
  log?: RuntimeLogger;
  /**
   * The API's binary media types, for a `Request`: a body whose `Content-Type` matches one reaches the handler
   * base64-encoded (`isBase64Encoded: true`), any other as UTF-8 text. Give your stack's list if it sets one.
   * @default ["*\/*"] (the component's default: every body base64-encoded, byte for byte)
   */
  binaryMediaTypes?: readonly string[];
}

const DEFAULT_TIMEOUT_MS = 60_000;
const FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:local";

/**
 * Runs one invocation of `handler` in this process, with no port and no server, and returns the `Response` a
 * client would get through API Gateway: the request becomes the REST API proxy event (payload format 1.0) the
 * local server builds, the runtime's own invocation loop calls the handler (any kind: a streaming writer
 * handler, `buffered(fn)`, `fetchHandler(app)`), its response goes through the real prelude encoding, and the
 * local server's API Gateway mapping turns it into the `Response`.
 *
 * The returned promise resolves as soon as the status and headers are known; the body then streams as the
 * handler writes it (a chunk is readable before the handler writes the next one), with backpressure: a body
 * nobody reads holds the handler's writes back once 1 MiB waits.
 *
 * Errors, as a client of API Gateway sees them:
 * - before any response byte (the handler throws, returns a non-Response from a fetch app, misses its
 *   deadline): `502` with `{"message":"Internal server error"}`; the error itself goes to `options.log`;
 * - after bytes were sent: reading the body fails with a `StreamInterruptedError` (its `functionError` names
 *   the handler's error), the in-memory form of a cut transfer;
 * - an event over Lambda's 6 MB payload limit: `413`, without invoking the handler;
 * - a buffered result API Gateway cannot read: `502`.
 *
 * Each call is its own invocation; concurrent calls run concurrently (a real function serves one at a time).
 * `process.env._X_AMZN_TRACE_ID` is left alone.
 *
 * @example mocha (or any runner that awaits async tests)
 * ```ts
 * import { invoke } from "streaming-rest-api/testing";
 * it("streams", async () => {
 *   const response = await invoke(handler, new Request("https://api.example/stream"));
 *   expect(response.status).to.equal(200);
 *   expect(await response.text()).to.equal("1\n2\n3\n");
 * });
 * ```
 * @example vitest
 * ```ts
 * test("404", async () => {
 *   const response = await invoke(fetchHandler(app), new Request("https://api.example/nope"));
 *   expect(response.status).toBe(404);
 * });
 * ```
 * @example node:test
 * ```ts
 * import { test } from "node:test";
 * import assert from "node:assert/strict";
 * test("first chunk before the rest", async () => {
 *   const reader = (await invoke(handler, new Request("https://api.example/"))).body!.getReader();
 *   assert.equal(new TextDecoder().decode((await reader.read()).value), "1\n");
 * });
 * ```
 * @param handler Any handler the runtime accepts.
 * @param request A web `Request` (its URL's path and query, method, headers and body make the event), or a REST
 *   API proxy event object, sent as it is.
 * @param options Deadline and log; see {@link InvokeOptions}.
 * @throws TypeError naming the argument when `handler`, `request` or `options` is not of that shape.
 * @throws RangeError When the handler answers a 1xx status, which a web `Response` cannot carry.
 */
export async function invoke(
  handler: AnyLambdaHandler,
  request: Request | APIGatewayProxyEvent,
  options: InvokeOptions = {},
): Promise<Response> {
  const resolved = resolveHandler(handler, "invoke(handler, request): handler");
  const { timeoutMs, log, binaryMediaTypes } = readOptions(options);
  const event = await invocationEvent(
    request,
    "invoke(handler, request): request",
    binaryMediaTypes ? { binaryMediaTypes } : {},
  );
  const gatewayRequestId = randomUUID();
  if (event.bytes.length > MAX_PAYLOAD_BYTES) {
    return gatewayError(
      {
        statusCode: 413,
        message: `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes (Lambda's payload limit); its event is ${event.bytes.length} bytes.`,
      },
      gatewayRequestId,
    );
  }
  const api = new InMemoryRuntimeApi({
    requestId: randomUUID(),
    event: event.bytes,
    headers: {
      [InvocationHeader.deadlineMs]: String(Date.now() + timeoutMs),
      [InvocationHeader.invokedFunctionArn]: FUNCTION_ARN,
      [InvocationHeader.traceId]: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString("hex")}`,
    },
  });
  let served = false;
  runLoop({
    client: api.client,
    handler: resolved,
    identity: functionIdentity(process.env),
    log,
    setTraceId: () => undefined,
    shouldContinue: () => !served && (served = true),
  }).then(
    () =>
      api.settle({ kind: "failed", error: { errorType: "Runtime.NoResponse", errorMessage: "no reply" } }),
    (error: unknown) =>
      api.settle({
        kind: "failed",
        error: { errorType: "Runtime.LoopFailed", errorMessage: (error as Error)?.message ?? String(error) },
      }),
  );
  return gatewayResponse(await api.outcome, { method: event.method, gatewayRequestId });
}

function readOptions(options: InvokeOptions): {
  timeoutMs: number;
  log: RuntimeLogger;
  binaryMediaTypes: readonly string[] | undefined;
} {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("invoke(handler, request, options): options must be an object.");
  }
  const { timeoutMs = DEFAULT_TIMEOUT_MS, log = console, binaryMediaTypes } = options;
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(
      `invoke(handler, request, options): options.timeoutMs must be a positive number of ms; got ${String(timeoutMs)}.`,
    );
  }
  if (typeof log?.warn !== "function" || typeof log.error !== "function") {
    throw new TypeError("invoke(handler, request, options): options.log must have warn and error methods.");
  }
  if (binaryMediaTypes !== undefined) {
    if (!Array.isArray(binaryMediaTypes)) {
      throw new TypeError("invoke(handler, request, options): options.binaryMediaTypes must be an array.");
    }
    for (const pattern of binaryMediaTypes) {
      const problem = typeof pattern === "string" ? binaryMediaTypeProblem(pattern) : "must be a string";
      if (problem) {
        throw new TypeError(
          `invoke(handler, request, options): options.binaryMediaTypes entry ${JSON.stringify(pattern)} ${problem}.`,
        );
      }
    }
  }
  return { timeoutMs, log, binaryMediaTypes };
}
