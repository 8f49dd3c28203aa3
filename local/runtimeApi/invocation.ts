// One invocation of the local Runtime API: its event, its lifecycle (a state machine) and how it ended.
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { StreamingLambdaStatusAndHeadersResponse } from "../../runtime/prelude";

/** An error the function (or Lambda on its behalf) reported, in Lambda's error shape. */
export interface FunctionErrorReport {
  /** e.g. `TypeError`, `Runtime.InitError`, `Function.ResponseSizeTooLarge`. */
  errorType: string;
  /** Human-readable message. */
  errorMessage: string;
  /** Stack frames, when the runtime sent them. */
  stackTrace?: string[];
}

/** Why a streamed response stopped before its end. */
export type InterruptionReason = "function-error" | "runtime-disconnected" | "deadline" | "server-closed";

/** A streamed response stopped before its end. */
export class StreamInterruptedError extends Error {
  override name = "StreamInterruptedError";
  /**
   * @param reason Why: the function reported an error in the trailers, the runtime's connection closed, the
   *   deadline passed, or the server is closing.
   * @param message What happened, for the log.
   * @param functionError The error from the trailers, for `function-error`.
   */
  constructor(
    readonly reason: InterruptionReason,
    message: string,
    readonly functionError?: FunctionErrorReport,
  ) {
    super(message);
  }
}

/** How an invocation ended, as far as its caller can tell when the first answer arrives. */
export type InvocationOutcome =
  /** The runtime sent the whole response at once. */
  | { readonly kind: "buffered"; readonly contentType: string | undefined; readonly body: Buffer }
  /**
   * The runtime is streaming. `body` yields the bytes after the prelude as they arrive and throws a
   * {@link StreamInterruptedError} if the stream stops early. Iterate it to its end even when the client has
   * gone (discarding the bytes): the invocation is over, and the next one can start, only when it ends.
   * `signal` aborts when the invocation is cut (deadline, server closing), to stop waiting on a slow client.
   */
  | {
      readonly kind: "streamed";
      readonly contentType: string | undefined;
      readonly prelude: StreamingLambdaStatusAndHeadersResponse | undefined;
      readonly body: AsyncIterable<Buffer>;
      readonly signal: AbortSignal;
    }
  /** The function failed before sending any response byte (`/error`, `/init/error`, an unusable response). */
  | { readonly kind: "failed"; readonly error: FunctionErrorReport }
  /** The deadline passed before any response byte arrived. */
  | { readonly kind: "timedOut"; readonly timeoutMs: number }
  /** The server closed, or the caller left, before the invocation was answered. */
  | { readonly kind: "cancelled" };

/** Extra context for one invocation. */
export interface InvocationExtras {
  /** Sent as `Lambda-Runtime-Client-Context` (JSON text). */
  clientContext?: string | undefined;
}

/**
 * Where an invocation is in its life. `queued` → `dispatched` (handed to a `/next` poller) → `replying` (the
 * runtime's `/response` or `/error` is arriving) → `done`; `queued` may also go straight to `done` (cancelled).
 */
export type InvocationState = "queued" | "dispatched" | "replying" | "done";

/** An invocation changed state (for tools and tests; the log says the same in words). */
export interface InvocationEvent {
  /** The Lambda request id the runtime sees. */
  readonly requestId: string;
  /** The state it is now in. */
  readonly state: InvocationState;
}

/**
 * One invocation. Its state changes only through its methods, each allowed from certain states; its outcome
 * settles once, with the first answer.
 */
export class Invocation {
  /** The Lambda request id the runtime sees. */
  readonly requestId = randomUUID();
  /** The X-Ray trace header sent with the event. */
  readonly traceId = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString("hex")}`;
  /** Settles with the first answer; never rejects. */
  readonly outcome: Promise<InvocationOutcome>;
  readonly extras: InvocationExtras;
  #state: InvocationState = "queued";
  #event: Buffer;
  #settled = false;
  #resolve!: (outcome: InvocationOutcome) => void;
  readonly #cut = new AbortController();
  #reply: IncomingMessage | undefined;
  #deadline: NodeJS.Timeout | undefined;
  readonly #onChange: ((event: InvocationEvent) => void) | undefined;

  /**
   * @param event The event bytes, sent to the runtime as is.
   * @param extras Client context for the runtime.
   * @param onChange Told of every state change, `queued` included (it is told at once).
   */
  constructor(event: Buffer, extras: InvocationExtras = {}, onChange?: (event: InvocationEvent) => void) {
    this.#event = event;
    this.extras = extras;
    this.outcome = new Promise((resolve) => (this.#resolve = resolve));
    this.#onChange = onChange;
    onChange?.({ requestId: this.requestId, state: "queued" });
  }

  get state(): InvocationState {
    return this.#state;
  }

  /** Aborts when the invocation is cut (deadline, server closing). */
  get cutSignal(): AbortSignal {
    return this.#cut.signal;
  }

  /**
   * `queued` → `dispatched`: hands out the event (once: the invocation drops its copy) and arms the deadline.
   * @param timeoutMs Time the invocation may run from now.
   * @param onDeadline Called when that time has passed.
   */
  dispatch(timeoutMs: number, onDeadline: () => void): Buffer {
    this.#expect("queued", "dispatch");
    this.#enter("dispatched");
    this.#deadline = setTimeout(onDeadline, timeoutMs);
    const event = this.#event;
    this.#event = Buffer.alloc(0);
    return event;
  }

  /**
   * `dispatched` → `replying`: the runtime's reply (`/response` or `/error`) has started arriving.
   * @param request The reply, destroyed if the invocation is cut while it arrives.
   */
  beginReply(request: IncomingMessage): void {
    this.#expect("dispatched", "beginReply");
    this.#enter("replying");
    this.#reply = request;
  }

  /** Delivers the first answer; later calls are ignored. */
  settle(outcome: InvocationOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve(outcome);
  }

  /**
   * Ends the invocation early: settles it with `outcome` (unless answered already), aborts {@link cutSignal}
   * and destroys the reply still arriving. Then {@link end} must follow.
   */
  cut(outcome: InvocationOutcome, interruption: StreamInterruptedError): void {
    if (this.#state === "done") return;
    this.settle(outcome);
    this.#cut.abort();
    this.#reply?.destroy(interruption);
  }

  /** Any state → `done`. Returns false when it was done already. */
  end(): boolean {
    if (this.#state === "done") return false;
    clearTimeout(this.#deadline);
    this.#enter("done");
    return true;
  }

  #enter(state: InvocationState): void {
    this.#state = state;
    this.#onChange?.({ requestId: this.requestId, state });
  }

  #expect(state: InvocationState, transition: string): void {
    if (this.#state !== state) {
      throw new Error(`Invocation ${this.requestId}: ${transition} from ${this.#state} (expected ${state}).`);
    }
  }
}
