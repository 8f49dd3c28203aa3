// The main thread's side: starts the worker threads, replaces one that crashes, stops them all on request.
import type { Worker } from "node:worker_threads";
import { toErrorPayload } from "../errors";
import type { RuntimeLogger } from "../loop";
import { WORKER_DATA_KEY, type WorkerAssignment } from "./plan";
import { isWorkerMessage, WorkerExitCode, type SupervisorMessage } from "./workerProtocol";

/** What a {@link WorkerPool} needs. */
export interface WorkerPoolConfig {
  /** The module each worker runs (the bundle's entry). */
  readonly entry: string;
  /** How many invocations each worker serves at once; one entry per worker. */
  readonly shares: readonly number[];
  /** The workers' environment (with `AWS_LAMBDA_RUNTIME_API` set). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: RuntimeLogger;
}

/** One worker slot: its assignment, the thread now filling it, and whether that thread got going. */
interface Slot {
  readonly assignment: WorkerAssignment;
  worker: Worker | undefined;
  ready: boolean;
}

/**
 * Runs one worker thread per share, each loading the handler module once and serving its share of the
 * concurrent invocations. A worker that ends after an error nobody caught (it failed its own invocations in
 * progress first) is replaced by a new one; a worker that ends before it was ready (its handler module
 * failed to load) or because the Runtime API failed ends the pool: the process should exit, as Lambda
 * expects.
 */
export class WorkerPool {
  readonly #config: WorkerPoolConfig;
  readonly #slots: Slot[];
  #stopping = false;
  #settle: { resolve(): void; reject(error: Error): void } | undefined;

  /** @param config See {@link WorkerPoolConfig}. */
  constructor(config: WorkerPoolConfig) {
    this.#config = config;
    this.#slots = config.shares.map((pollers, index) => ({
      assignment: { index, pollers },
      worker: undefined,
      ready: false,
    }));
  }

  /** How many workers are running now. */
  get running(): number {
    return this.#slots.filter((slot) => slot.worker !== undefined).length;
  }

  /**
   * Starts every worker and resolves once all have ended after {@link stop}. Rejects when one could not start
   * or the Runtime API failed (the other workers are then terminated).
   */
  run(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#settle = { resolve, reject };
      for (const slot of this.#slots) this.#start(slot);
    });
  }

  /** Tells every worker to stop polling and end after its invocations in progress. */
  stop(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    const message: SupervisorMessage = { kind: "stop" };
    for (const slot of this.#slots) slot.worker?.postMessage(message);
    this.#settleIfAllEnded();
  }

  #start(slot: Slot): void {
    const { Worker } = process.getBuiltinModule("node:worker_threads");
    const worker = new Worker(this.#config.entry, {
      workerData: { [WORKER_DATA_KEY]: slot.assignment },
      env: { ...this.#config.env },
    });
    slot.worker = worker;
    slot.ready = false;
    worker.on("message", (message: unknown) => {
      if (isWorkerMessage(message)) slot.ready = true;
    });
    worker.on("error", (error) => {
      const payload = toErrorPayload(error);
      this.#config.log.error(
        `[runtime] worker ${slot.assignment.index}: uncaught error: ${payload.errorType}: ${payload.errorMessage}`,
        error,
      );
    });
    worker.on("exit", (code) => this.#ended(slot, worker, code));
  }

  #ended(slot: Slot, worker: Worker, code: number): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    const index = slot.assignment.index;
    if (this.#stopping) return this.#settleIfAllEnded();
    if (!slot.ready) {
      return this.#fail(
        new Error(
          `worker ${index} ended (exit code ${code}) before it could serve: the handler module failed to ` +
            "load, or the worker could not start (its error is above)",
        ),
      );
    }
    if (code === WorkerExitCode.fatal) {
      return this.#fail(new Error(`worker ${index} ended on a fatal error (its error is above)`));
    }
    this.#config.log.error(
      `[runtime] worker ${index} ended (exit code ${code}); starting a new one in its place (its handler ` +
        "module loads again).",
    );
    this.#start(slot);
  }

  #fail(error: Error): void {
    this.#stopping = true;
    for (const slot of this.#slots) void slot.worker?.terminate();
    this.#settle?.reject(error);
  }

  #settleIfAllEnded(): void {
    if (this.#slots.every((slot) => slot.worker === undefined)) this.#settle?.resolve();
  }
}
