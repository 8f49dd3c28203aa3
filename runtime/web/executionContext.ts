// The minimal `executionCtx` fetch-style apps get: waitUntil() work the invocation waits for, no pass-through.

/**
 * What a fetch-style app gets as its third argument (`c.executionCtx` in Hono), shaped like Cloudflare's and
 * Hono's `ExecutionContext`.
 */
export interface FetchExecutionContext {
  /**
   * Keeps the invocation alive until `promise` settles: the response goes out first, then the handler waits for
   * every such promise (and those they add in turn) before the invocation ends, because Lambda freezes the
   * function as soon as it does. A rejection is reported like an error after the response was finished: logged,
   * the response already complete.
   */
  waitUntil(promise: Promise<unknown>): void;
  /** Does nothing: there is no origin server to pass the request on to after an exception. */
  passThroughOnException(): void;
  /** Empty: Cloudflare's per-deployment props have no equivalent here (kept so Hono's type fits). */
  readonly props: Record<string, unknown>;
}

/** Does nothing (see {@link FetchExecutionContext.passThroughOnException}); one function for every context. */
function passThroughOnException(): void {}

/** An execution context for one invocation, and the wait for its `waitUntil` promises. */
export class InvocationExecutionContext implements FetchExecutionContext {
  readonly props: Record<string, unknown> = {};
  readonly passThroughOnException = passThroughOnException;
  readonly #pending: Promise<unknown>[] = [];
  #waitUntil: ((promise: Promise<unknown>) => void) | undefined;

  /** Bound, so `const { waitUntil } = executionCtx` works too (bound on first use: most apps never call it). */
  get waitUntil(): (promise: Promise<unknown>) => void {
    return (this.#waitUntil ??= this.#add.bind(this));
  }

  /** Whether any promise was handed to `waitUntil`: when none was, there is nothing to {@link settle}. */
  get pending(): boolean {
    return this.#pending.length > 0;
  }

  /**
   * Waits for every promise handed to `waitUntil`, including those added while waiting.
   * @returns The rejection reasons, in the order the promises were added.
   */
  async settle(): Promise<unknown[]> {
    const failures: unknown[] = [];
    for (let done = 0; done < this.#pending.length;) {
      const batch = this.#pending.slice(done);
      done += batch.length;
      for (const outcome of await Promise.allSettled(batch)) {
        if (outcome.status === "rejected") failures.push(outcome.reason);
      }
    }
    return failures;
  }

  #add(promise: Promise<unknown>): void {
    // A value that is not a promise settles at once; a thenable is followed.
    this.#pending.push(Promise.resolve(promise));
  }
}
