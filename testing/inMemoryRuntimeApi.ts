// The Runtime API calls of one invocation, answered in memory: the runtime's loop runs on it unchanged.
import type { Invocation, RuntimeApiClient } from "../runtime/client";
import type { StreamingRequest } from "../runtime/connection";
import type { ErrorPayload } from "../runtime/errors";
import type { StreamingLambdaStatusAndHeadersResponse } from "../runtime/prelude";
import type { FunctionErrorReport } from "../local/runtimeApi/invocation";
import { MAX_PAYLOAD_BYTES } from "../local/lambdaLimits";
import { MemoryResponseStream } from "./memoryResponseStream";

/** How an in-memory invocation was first answered. */
export type InMemoryOutcome =
  /** A streamed response whose status and headers are known; `stream.body` follows as it is written. */
  | {
      readonly kind: "streamed";
      readonly contentType: string;
      readonly prelude: StreamingLambdaStatusAndHeadersResponse | undefined;
      readonly stream: MemoryResponseStream;
    }
  /** A whole (buffered) response. */
  | { readonly kind: "buffered"; readonly body: Buffer }
  /** The invocation failed before any response byte (or its reply was unusable). */
  | { readonly kind: "failed"; readonly error: FunctionErrorReport };

/** The Runtime API methods the loop calls. */
type LoopClient = Pick<
  RuntimeApiClient,
  "nextInvocation" | "openResponseStream" | "sendResponse" | "sendInvocationError" | "checkStreamAnswer"
>;

/**
 * Serves one invocation to the runtime's loop (`runLoop`) without a socket: `/next` hands out the event once,
 * `/response` (buffered or streamed) and `/error` settle {@link outcome} with the first answer, as the local
 * server's Runtime API does; a buffered reply over Lambda's 6 MB fails the invocation as Lambda does.
 */
export class InMemoryRuntimeApi implements LoopClient {
  /** Settles with the first answer; never rejects. */
  readonly outcome: Promise<InMemoryOutcome>;
  #invocation: Invocation | undefined;
  #settle!: (outcome: InMemoryOutcome) => void;
  #settled = false;

  /** @param invocation The invocation `/next` hands out. */
  constructor(invocation: Invocation) {
    this.#invocation = invocation;
    this.outcome = new Promise((resolve) => (this.#settle = resolve));
  }

  /** As a runtime client for `runLoop`, which is typed with the socket client. */
  get client(): RuntimeApiClient {
    return this as LoopClient as RuntimeApiClient;
  }

  nextInvocation(): Promise<Invocation> {
    const invocation = this.#invocation;
    this.#invocation = undefined;
    if (!invocation) return Promise.reject(new Error("the in-memory Runtime API serves one invocation"));
    return Promise.resolve(invocation);
  }

  openResponseStream(_requestId: string, contentType: string): StreamingRequest {
    const stream: MemoryResponseStream = new MemoryResponseStream(contentType, (start) =>
      this.settle(
        start.kind === "failed" ? start : { kind: "streamed", contentType, prelude: start.prelude, stream },
      ),
    );
    return stream;
  }

  sendResponse(_requestId: string, body: Buffer): Promise<void> {
    if (body.length > MAX_PAYLOAD_BYTES) {
      this.settle({
        kind: "failed",
        error: {
          errorType: "Function.ResponseSizeTooLarge",
          errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`,
        },
      });
    } else {
      this.settle({ kind: "buffered", body });
    }
    return Promise.resolve();
  }

  sendInvocationError(_requestId: string, error: ErrorPayload): Promise<void> {
    this.settle({ kind: "failed", error });
    return Promise.resolve();
  }

  checkStreamAnswer(): void {
    // Every in-memory stream is accepted.
  }

  /** Delivers the first answer; later ones are ignored. */
  settle(outcome: InMemoryOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#settle(outcome);
  }
}
