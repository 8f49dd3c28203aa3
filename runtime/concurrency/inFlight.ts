// The invocations whose handlers are running on this thread: each in its own scope, each can be failed alone.
import type { InvocationContext } from "../context";
import type { LambdaContext, ResolvedHandler } from "../handler";
import { currentInvocation, runInInvocation, type InvocationScope } from "../invocationScope";

/** A running handler call, and how to give up on it. */
interface Running {
  /** Rejects the handler's outcome with `error`, as if the handler had failed with it. */
  readonly abandon: (error: unknown) => void;
}

/**
 * Tracks the handler calls in progress on this thread. {@link isolate} wraps a handler so that each call runs
 * in its invocation's scope (see `invocationScope`) and can be abandoned: an error nobody caught is then
 * attributed to the invocation whose code raised it, and only that invocation fails; the runtime's loop
 * reports it by phase (`/error` before any byte, error trailers after) and goes on to the next.
 */
export class InFlightInvocations {
  readonly #running = new Map<string, Running>();

  /** How many handler calls are in progress. */
  get size(): number {
    return this.#running.size;
  }

  /** Whether the handler of the invocation with this request id is still running. */
  has(requestId: string): boolean {
    return this.#running.has(requestId);
  }

  /**
   * Wraps `handler`: each call runs in its invocation's scope (unless the loop already opened it) and is
   * registered until it settles.
   * @param handler The handler as the runtime resolved it.
   */
  isolate(handler: ResolvedHandler): ResolvedHandler {
    if (handler.kind === "buffered") {
      const call = handler.handler;
      return {
        kind: "buffered",
        handler: (event, context) => this.#track(context, () => call(event, context)),
      };
    }
    const handle = handler.handle;
    return {
      kind: "streaming",
      handle: (event, writer, context) =>
        this.#track(context, () => handle(event, writer, context)) as Promise<void>,
    };
  }

  /**
   * Fails one invocation with `error` (an error attributed to it): its handler's outcome rejects with it and
   * its `context.signal` aborts. Returns false when its handler is not running any more.
   */
  abandon(requestId: string, error: unknown): boolean {
    const running = this.#running.get(requestId);
    if (!running) return false;
    running.abandon(error);
    return true;
  }

  /** Fails every invocation in progress with `error`; returns how many there were. */
  abandonAll(error: unknown): number {
    const all = [...this.#running.values()];
    for (const running of all) running.abandon(error);
    return all.length;
  }

  #track(context: LambdaContext, call: () => unknown): Promise<unknown> {
    const requestId = context.requestId;
    let abandon: (error: unknown) => void = () => undefined;
    const abandoned = new Promise<never>((_, reject) => {
      abandon = (error) => {
        this.#running.delete(requestId);
        abortContext(context, error);
        reject(error);
      };
    });
    this.#running.set(requestId, { abandon });
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(inScopeOf(context, call));
    } catch (error) {
      result = Promise.reject(error);
    }
    const done = (): void => {
      if (this.#running.get(requestId)?.abandon === abandon) this.#running.delete(requestId);
    };
    result.then(done, done);
    return Promise.race([result, abandoned]);
  }
}

/** Runs `call` in the scope of the invocation `context` belongs to, unless that scope is already open. */
function inScopeOf(context: LambdaContext, call: () => unknown): unknown {
  if (currentInvocation()?.requestId === context.requestId) return call();
  const scope: InvocationScope = {
    requestId: context.requestId,
    traceId: context.traceId,
    tenantId: (context as { tenantId?: string }).tenantId,
  };
  return runInInvocation(scope, call);
}

/** Aborts the context's signal, for a context the runtime made (it has `abort`). */
function abortContext(context: LambdaContext, error: unknown): void {
  const abort = (context as Partial<InvocationContext>).abort;
  if (typeof abort !== "function") return;
  abort.call(context, error instanceof Error ? error : new Error(String(error)));
}
