// N copies of the runtime's loop on one thread, each on its own Runtime API connection: N invocations at once.
import { RuntimeApiClient } from "../client";
import { toErrorPayload } from "../errors";
import { currentInvocation } from "../invocationScope";
import { runLoop, type LoopConfig, type RuntimeLogger } from "../loop";
import { InFlightInvocations } from "./inFlight";

/** What a {@link PollerPool} needs. */
export interface PollerPoolConfig {
  /** How many invocations to serve at once (each poller serves one at a time). */
  readonly pollers: number;
  /** Where the pool's own log lines go. */
  readonly log: RuntimeLogger;
}

/** What became of an error nobody caught. */
export type UncaughtOutcome =
  /** It was raised by an invocation's code: that invocation failed with it (if still running); the others go on. */
  | "attributed"
  /** It could not be attributed: every invocation in progress failed with it and the pool stopped. */
  | "crashed";

/** How long a crashed pool waits for the invocations it failed to be reported. */
const CRASH_REPORT_TIMEOUT_MS = 2000;

interface Poller {
  readonly client: RuntimeApiClient;
  idle: boolean;
}

/**
 * Serves up to `pollers` invocations at once: as many copies of the runtime's loop (`GET /next`, run the
 * handler, reply), each with its own connection, as Lambda Managed Instances expects. Every invocation has
 * its own context, deadline and `AbortSignal` (the loop makes them); `process.env._X_AMZN_TRACE_ID` is left
 * alone, since no single value is right while several invocations run (their trace ids are in their
 * contexts and in `currentInvocation()`).
 */
export class PollerPool {
  readonly #config: PollerPoolConfig;
  readonly #inFlight = new InFlightInvocations();
  readonly #pollers: Poller[] = [];
  #stopping = false;
  #crashing = false;
  #loops: Promise<void> | undefined;

  /** @param config See {@link PollerPoolConfig}. */
  constructor(config: PollerPoolConfig) {
    this.#config = config;
  }

  /** How many handler calls are in progress. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * Serves until {@link stop}, or until `loop.shouldContinue` says stop: runs `pollers` copies of the loop
   * `loop` describes, each on a connection of its own to `loop.client`'s address, the handler isolated per
   * invocation (see {@link InFlightInvocations}). Rejects with the first Runtime API failure on `/next` (the
   * other copies stop too): the process should then exit, as Lambda expects.
   * @param loop The loop one copy would run; its client, trace id, idle and invocation callbacks are replaced.
   */
  serve(loop: LoopConfig): Promise<void> {
    const handler = this.#inFlight.isolate(loop.handler);
    let failed: (error: unknown) => void = () => undefined;
    const failure = new Promise<never>((_, reject) => (failed = reject));
    const copies = Array.from({ length: this.#config.pollers }, () => {
      const poller: Poller = { client: new RuntimeApiClient(loop.client.address), idle: false };
      this.#pollers.push(poller);
      return runLoop({
        ...loop,
        client: poller.client,
        handler,
        setTraceId: leaveTraceIdAlone,
        shouldContinue: () => !this.#stopping && loop.shouldContinue(),
        onIdle: (idle) => (poller.idle = idle),
        onInvocation: undefined,
      }).catch((error: unknown) => {
        if (this.#stopping) return;
        this.stop();
        failed(error);
      });
    });
    this.#loops = Promise.all(copies).then(() => this.#closeClients());
    return Promise.race([this.#loops, failure]).finally(() => this.#closeClients());
  }

  /** Stops polling: idle pollers at once, busy ones after their invocation. */
  stop(): void {
    this.#stopping = true;
    for (const poller of this.#pollers) if (poller.idle) poller.client.close();
  }

  /**
   * Handles an error nobody caught (an `uncaughtException` or `unhandledRejection`). When it was raised by
   * code running for an invocation (its `AsyncLocalStorage` scope), it is that invocation's: the invocation
   * fails with it if its handler is still running, and is only logged if it has ended; the others go on.
   * Otherwise (code started outside any invocation) every invocation in progress fails with it, the pool
   * stops, and this resolves once their failures were reported (or after 2 s): the thread's state is unknown
   * and it should end.
   */
  async handleUncaught(error: unknown): Promise<UncaughtOutcome> {
    const payload = toErrorPayload(error);
    const scope = currentInvocation();
    if (scope && !this.#crashing) {
      const failed = this.#inFlight.abandon(scope.requestId, error);
      this.#config.log.error(
        `[runtime] ${scope.requestId}: uncaught error in this invocation's code, ` +
          (failed ? "which fails with it" : "raised after it ended (logged only)") +
          ` (other invocations go on): ${payload.errorType}: ${payload.errorMessage}`,
        error,
      );
      return "attributed";
    }
    if (this.#crashing) return "crashed";
    this.#crashing = true;
    const failed = this.#inFlight.abandonAll(error);
    this.#config.log.error(
      `[runtime] uncaught error outside any invocation; failing the ${failed} invocation(s) in progress on ` +
        `this thread, which then ends: ${payload.errorType}: ${payload.errorMessage}`,
      error,
    );
    this.stop();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#loops,
      new Promise((resolve) => (timer = setTimeout(resolve, CRASH_REPORT_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    return "crashed";
  }

  #closeClients(): void {
    for (const poller of this.#pollers) poller.client.close();
  }
}

/** Several invocations run at once: no single `_X_AMZN_TRACE_ID` is right, so it is not set. */
function leaveTraceIdAlone(): void {}
