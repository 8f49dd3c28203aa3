// The local Runtime API's FIFO: queued invocations, waiting `/next` polls, and the invocations in flight.
import type { ServerResponse } from "node:http";
import type { Invocation } from "./invocation";

/** What the queue needs from the server around it. */
export interface InvocationQueueOptions {
  /** Time an invocation may run once dispatched, in ms. */
  readonly timeoutMs: number;
  /**
   * How many invocations may be in flight at once: 1 is one Lambda execution environment; more is one on
   * Lambda Managed Instances, which takes that many concurrent `/next` polls. @default 1
   */
  readonly concurrency?: number;
  /** Writes the `/next` answer carrying `invocation` (whose event is `event`) to `poll`. */
  readonly answerNext: (poll: ServerResponse, invocation: Invocation, event: Buffer) => void;
  /** The dispatched invocation's deadline has passed. */
  readonly onDeadline: (invocation: Invocation) => void;
  /**
   * Called once for an invocation that has waited this long while no runtime was polling and none was busy:
   * nothing will serve it until a Runtime API client starts.
   */
  readonly noRuntime?: { readonly afterMs: number; readonly notify: (invocation: Invocation) => void };
}

/**
 * Up to `concurrency` invocations run at once (one, like one Lambda execution environment, by default): the
 * oldest queued invocation goes to the oldest waiting poll, and the next only when fewer than `concurrency`
 * are in flight.
 */
export class InvocationQueue {
  readonly #options: InvocationQueueOptions;
  readonly #queued: Invocation[] = [];
  readonly #polls: ServerResponse[] = [];
  readonly #starvationTimers = new Map<Invocation, NodeJS.Timeout>();
  readonly #inFlight = new Map<string, Invocation>();
  readonly #concurrency: number;

  constructor(options: InvocationQueueOptions) {
    this.#options = options;
    this.#concurrency = options.concurrency ?? 1;
  }

  /** The oldest invocation a runtime is working on, if any. */
  get inFlight(): Invocation | undefined {
    return this.#inFlight.values().next().value;
  }

  /** Every invocation runtimes are working on, oldest first. */
  get allInFlight(): Invocation[] {
    return [...this.#inFlight.values()];
  }

  /** The invocation in flight with this request id, if any. */
  inFlightWith(requestId: string): Invocation | undefined {
    return this.#inFlight.get(requestId);
  }

  /** Invocations waiting for their turn. */
  get queuedCount(): number {
    return this.#queued.length;
  }

  /** Queues an invocation; it is dispatched at once if a poll waits and nothing is in flight. */
  enqueue(invocation: Invocation): void {
    this.#queued.push(invocation);
    this.#watchForNoRuntime(invocation);
    this.#dispatch();
  }

  /** A `GET /next` poll waits for the next invocation; it is dropped if its connection closes first. */
  addPoll(poll: ServerResponse): void {
    this.#polls.push(poll);
    poll.once("close", () => {
      const index = this.#polls.indexOf(poll);
      if (index !== -1) this.#polls.splice(index, 1);
    });
    this.#dispatch();
  }

  /** Drops a queued invocation (its caller left); one already dispatched is unaffected. Returns whether it was queued. */
  remove(invocation: Invocation): boolean {
    const index = this.#queued.indexOf(invocation);
    if (index === -1) return false;
    this.#queued.splice(index, 1);
    this.#forget(invocation);
    return true;
  }

  /** Ends the invocation in flight and dispatches the next one. Idempotent. */
  finish(invocation: Invocation): void {
    if (!invocation.end()) return;
    if (this.#inFlight.get(invocation.requestId) === invocation) this.#inFlight.delete(invocation.requestId);
    this.#dispatch();
  }

  /** Empties the queue (polls stay), returning what was queued, so the server can answer each. */
  takeQueued(): Invocation[] {
    const queued = this.#queued.splice(0);
    for (const invocation of queued) this.#forget(invocation);
    return queued;
  }

  /** Empties the queue and the polls, returning them, so the server can answer each. */
  drain(): { queued: Invocation[]; polls: ServerResponse[] } {
    return { queued: this.takeQueued(), polls: this.#polls.splice(0) };
  }

  #dispatch(): void {
    while (this.#inFlight.size < this.#concurrency && this.#queued.length > 0 && this.#polls.length > 0) {
      const poll = this.#polls.shift() as ServerResponse;
      if (poll.destroyed || poll.writableEnded) continue;
      const invocation = this.#queued.shift() as Invocation;
      this.#forget(invocation);
      this.#inFlight.set(invocation.requestId, invocation);
      const event = invocation.dispatch(this.#options.timeoutMs, () => this.#options.onDeadline(invocation));
      this.#options.answerNext(poll, invocation, event);
    }
  }

  #watchForNoRuntime(invocation: Invocation): void {
    const watch = this.#options.noRuntime;
    if (!watch) return;
    const timer = setTimeout(() => {
      this.#starvationTimers.delete(invocation);
      if (invocation.state === "queued" && this.#polls.length === 0 && this.#inFlight.size === 0) {
        watch.notify(invocation);
      }
    }, watch.afterMs);
    timer.unref();
    this.#starvationTimers.set(invocation, timer);
  }

  #forget(invocation: Invocation): void {
    clearTimeout(this.#starvationTimers.get(invocation));
    this.#starvationTimers.delete(invocation);
  }
}
