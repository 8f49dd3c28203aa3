// What `LambdaRuntime` does differently when it serves several invocations at once, in this thread's part.
import { toErrorPayload } from "../errors";
import type { LambdaRuntimeOptions } from "../lambdaRuntime";
import { importLocalServer } from "../localServerLoader";
import { functionRuntimeLogger } from "../logging/functionLogging";
import type { LoopConfig, RuntimeLogger } from "../loop";
import { installInvokeStore } from "./invokeStore";
import { planConcurrency, type ConcurrencyPlan } from "./plan";
import { PollerPool } from "./pollerPool";
import { WorkerPool } from "./workerPool";
import { isSupervisorMessage, WorkerExitCode, type WorkerMessage } from "./workerProtocol";

/** A plan with more than one invocation at a time. */
export type ConcurrentPlan = Exclude<ConcurrencyPlan, { readonly role: "single" }>;

/**
 * The concurrent side of `LambdaRuntime` (`AWS_LAMBDA_MAX_CONCURRENCY` over 1):
 * - on the main thread with workers ({@link supervises}), {@link supervise} starts the worker threads,
 *   replaces any that crash, and never loads the handler module itself;
 * - on one of those workers, or alone on this thread (`workers: 0`), {@link serve} runs one copy of the
 *   runtime's loop per concurrent invocation, and {@link handleCrash} deals with errors nobody caught.
 */
export class ConcurrentRuntime {
  readonly #plan: ConcurrentPlan;
  readonly #options: LambdaRuntimeOptions;
  readonly #log: RuntimeLogger;
  #pool: PollerPool | WorkerPool | undefined;
  #stopRequested = false;
  #crashed = false;

  /**
   * The concurrent runtime for this thread, or `undefined` when invocations are served one at a time (then
   * nothing is loaded or changed). On a thread that runs handlers, installs the AWS-compatible invoke store
   * (see invokeStore.ts) so the handler module finds it when it loads.
   * @param options The runtime's options (`maxConcurrency`, `workers`, `workerEntry`, `env`).
   * @throws RangeError naming the setting when `AWS_LAMBDA_MAX_CONCURRENCY` or the worker count is invalid.
   */
  static for(options: LambdaRuntimeOptions): ConcurrentRuntime | undefined {
    const plan = planConcurrency(options);
    if (plan.role === "single") return undefined;
    if (plan.role !== "supervisor") installInvokeStore(options.env ?? process.env);
    return new ConcurrentRuntime(plan, options);
  }

  /**
   * Use {@link ConcurrentRuntime.for}, which makes the plan.
   * @param plan This thread's part, with more than one invocation at a time.
   * @param options The runtime's options.
   */
  constructor(plan: ConcurrentPlan, options: LambdaRuntimeOptions) {
    this.#plan = plan;
    this.#options = options;
    this.#log = options.log ?? functionRuntimeLogger;
  }

  /** Whether this is the main thread of a runtime with worker threads: it supervises, they serve. */
  get supervises(): boolean {
    return this.#plan.role === "supervisor";
  }

  /**
   * Main thread: starts the Runtime API's local stand-in if there is no Runtime API, then the worker threads
   * (each told the address and `AWS_LAMBDA_MAX_CONCURRENCY`), and runs until {@link stop} or SIGTERM. A
   * worker that cannot start, or that loses the Runtime API, is fatal (`onFatalError`, or exit 1).
   */
  async supervise(): Promise<void> {
    const plan = this.#plan;
    if (plan.role !== "supervisor") throw new TypeError(`supervise() on a ${plan.role} thread`);
    const api = await this.#runtimeApi();
    if (!api) return;
    const pool = new WorkerPool({
      entry: plan.workerEntry,
      shares: plan.shares,
      env: {
        ...process.env,
        ...this.#options.env,
        ...api.environment,
        AWS_LAMBDA_RUNTIME_API: api.address,
        AWS_LAMBDA_MAX_CONCURRENCY: String(plan.maxConcurrency),
      },
      log: this.#log,
    });
    this.#pool = pool;
    const onSigterm = (): void => this.stop();
    process.once("SIGTERM", onSigterm);
    try {
      const running = pool.run();
      if (this.#stopRequested) pool.stop();
      await running;
    } catch (error) {
      this.#fatal(error as Error);
    } finally {
      process.off("SIGTERM", onSigterm);
      await api.close?.();
    }
  }

  /**
   * Worker, or this thread alone: runs one copy of `loop` per concurrent invocation. On a worker, tells the
   * main thread it is serving, stops when the main thread says so, and ends the thread once stopped.
   * @param loop The loop `LambdaRuntime` would run for one invocation at a time.
   */
  async serve(loop: LoopConfig): Promise<void> {
    const plan = this.#plan;
    if (plan.role === "supervisor") throw new TypeError("serve() on the supervising thread");
    const pool = new PollerPool({
      pollers: plan.role === "worker" ? plan.assignment.pollers : plan.pollers,
      log: loop.log,
    });
    this.#pool = pool;
    if (this.#stopRequested) pool.stop();
    const serving = pool.serve(loop);
    if (plan.role !== "worker") return serving;
    const { parentPort } = process.getBuiltinModule("node:worker_threads");
    const onMessage = (message: unknown): void => {
      if (isSupervisorMessage(message)) this.stop();
    };
    parentPort?.on("message", onMessage);
    parentPort?.postMessage({ kind: "ready" } satisfies WorkerMessage);
    try {
      await serving;
    } finally {
      parentPort?.off("message", onMessage);
    }
    // Timers or sockets the handler left open would keep the thread alive: end it once the runtime is done.
    setImmediate(() => process.exit(WorkerExitCode.stopped));
  }

  /**
   * An error nobody caught: fails only the invocation whose code raised it, when that can be told; otherwise
   * fails every invocation in progress on this thread, then ends a worker (the main thread starts another)
   * or, alone on the main thread, calls `fatal` (the process's state is unknown).
   * @param error What was thrown or rejected.
   * @param fatal Ends the runtime (`LambdaRuntime`'s fatal path).
   */
  async handleCrash(error: unknown, fatal: (error: Error) => void): Promise<void> {
    const pool = this.#pool;
    if (pool instanceof PollerPool) {
      if ((await pool.handleUncaught(error)) === "attributed" || this.#crashed) return;
      this.#crashed = true;
      if (this.#plan.role === "worker") process.exit(WorkerExitCode.crashed);
    }
    fatal(asError(error));
  }

  /** Stops after the invocations in progress (on every worker); at once where none is. */
  stop(): void {
    this.#stopRequested = true;
    this.#pool?.stop();
  }

  /**
   * The Runtime API's address: given, from the environment, or a local server started for it (with the
   * variables a deployment would set for the server's settings, for the workers' environment).
   */
  async #runtimeApi(): Promise<
    | { address: string; environment?: Readonly<Record<string, string>>; close?: () => Promise<void> }
    | undefined
  > {
    const given = this.#options.runtimeApi ?? (this.#options.env ?? process.env).AWS_LAMBDA_RUNTIME_API;
    if (given) return { address: given };
    try {
      const start = this.#options.startLocalServer ?? (await importLocalServer());
      const server = await start();
      return {
        address: server.runtimeApi,
        environment: server.functionEnvironment,
        close: () => server.close(),
      };
    } catch (error) {
      this.#fatal(error as Error);
      return undefined;
    }
  }

  #fatal(error: Error): void {
    if (this.#options.onFatalError) return this.#options.onFatalError(error);
    this.#log.error(`[runtime] fatal: ${error.message}`, error);
    process.exit(1);
  }
}

/** The thrown value as an Error, for the fatal path (a non-Error is described by its type and rendering). */
function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  const payload = toErrorPayload(thrown);
  return new Error(`${payload.errorType}: ${payload.errorMessage}`);
}
