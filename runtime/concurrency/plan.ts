// How many invocations to serve at once, on how many worker threads, and this thread's part in it.
/** Options of `LambdaRuntime` for concurrent invocations (Lambda Managed Instances). */
export interface ConcurrencyOptions {
  /**
   * Invocations served at once. Lambda Managed Instances sets `AWS_LAMBDA_MAX_CONCURRENCY`; with 1 (or
   * unset) the runtime serves one invocation at a time, as on Lambda's default compute.
   * @default Number(env.AWS_LAMBDA_MAX_CONCURRENCY), or 1 when it is unset
   */
  maxConcurrency?: number;
  /**
   * Worker threads the concurrent invocations are spread over, when `maxConcurrency` is over 1: each loads
   * the handler module once and serves its share of the invocations concurrently, so a CPU-bound handler
   * uses every vCPU. `0` serves them all on this thread instead (async concurrency only). Never more than
   * `maxConcurrency`. The variable is the one AWS's Node.js runtime reads.
   * @default Number(env.AWS_LAMBDA_NODEJS_WORKER_COUNT), else os.availableParallelism()
   */
  workers?: number;
  /**
   * The module each worker thread runs. It must start this runtime again the way this thread did: the
   * bundle's entry (`index.mjs`) does, and so does a script that calls `new LambdaRuntime(handler).run()` at
   * its top level. A worker recognises itself as one (by its `workerData`) and serves its share.
   * @default process.argv[1], the script node was started with
   */
  workerEntry?: string;
  /** Environment to read the settings (and the function's identity) from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The key of `workerData` that marks a worker thread started by this runtime. */
export const WORKER_DATA_KEY = "streaming-rest-api:concurrency-worker";

/** What a worker thread of this runtime is told in its `workerData`. */
export interface WorkerAssignment {
  /** Which worker it is, from 0. */
  readonly index: number;
  /** How many invocations it serves at once. */
  readonly pollers: number;
}

/**
 * This thread's part:
 * - `single`: one invocation at a time, the runtime's ordinary loop (N = 1);
 * - `supervisor`: the main thread with N > 1: starts the workers (and never loads the handler module);
 * - `worker`: one of those workers: serves `pollers` invocations at once;
 * - `pollers`: N > 1 with `workers: 0`: serves them all on this thread.
 */
export type ConcurrencyPlan =
  | { readonly role: "single" }
  | {
      readonly role: "supervisor";
      readonly maxConcurrency: number;
      /** Pollers of each worker, one entry per worker. */
      readonly shares: readonly number[];
      readonly workerEntry: string;
    }
  | { readonly role: "worker"; readonly assignment: WorkerAssignment }
  | { readonly role: "pollers"; readonly pollers: number };

const SINGLE: ConcurrencyPlan = { role: "single" };

/**
 * Decides this thread's part from the options and the environment. With N = 1 it reads one variable and
 * loads nothing, so a function that does not run on Lambda Managed Instances pays nothing for this.
 * @param options The runtime's options.
 * @throws RangeError naming the option or variable when a setting is not a valid count.
 */
export function planConcurrency(options: ConcurrencyOptions): ConcurrencyPlan {
  const env = options.env ?? process.env;
  const maxConcurrency =
    countSetting(options.maxConcurrency, "maxConcurrency", 1, env, "AWS_LAMBDA_MAX_CONCURRENCY") ?? 1;
  if (maxConcurrency <= 1) return SINGLE;
  const threads = process.getBuiltinModule("node:worker_threads");
  const assignment = ownAssignment(threads);
  if (assignment) return { role: "worker", assignment };
  const configured = countSetting(options.workers, "workers", 0, env, "AWS_LAMBDA_NODEJS_WORKER_COUNT");
  const workers = Math.min(
    maxConcurrency,
    configured ?? process.getBuiltinModule("node:os").availableParallelism(),
  );
  if (workers === 0) return { role: "pollers", pollers: maxConcurrency };
  const workerEntry = options.workerEntry ?? process.argv[1];
  if (!workerEntry) {
    throw new RangeError(
      "workerEntry: no script to start worker threads with (process.argv[1] is empty). Pass workerEntry, " +
        "or workers: 0 to serve every invocation on this thread.",
    );
  }
  return { role: "supervisor", maxConcurrency, shares: sharesOf(maxConcurrency, workers), workerEntry };
}

/**
 * Splits `total` invocations over `workers` workers as evenly as possible, the first ones taking one more.
 * @param total Invocations served at once, at least `workers`.
 * @param workers Worker threads, at least 1.
 */
export function sharesOf(total: number, workers: number): number[] {
  const base = Math.floor(total / workers);
  const extra = total % workers;
  return Array.from({ length: workers }, (_, index) => base + (index < extra ? 1 : 0));
}

/** This thread's assignment, when it is a worker this runtime started. */
function ownAssignment(threads: typeof import("node:worker_threads")): WorkerAssignment | undefined {
  if (threads.isMainThread) return undefined;
  const data = threads.workerData as Record<string, unknown> | null | undefined;
  const assignment = typeof data === "object" && data !== null ? data[WORKER_DATA_KEY] : undefined;
  return typeof assignment === "object" && assignment !== null ? (assignment as WorkerAssignment) : undefined;
}

/**
 * A count from an option, else from an environment variable; undefined when neither is set.
 * @throws RangeError naming the option or the variable when it is not a whole number of at least `minimum`.
 */
function countSetting(
  option: number | undefined,
  optionName: string,
  minimum: number,
  env: Readonly<Record<string, string | undefined>>,
  variableName: string,
): number | undefined {
  if (option !== undefined) {
    if (!Number.isSafeInteger(option) || option < minimum) {
      throw new RangeError(`${optionName} must be a whole number of at least ${minimum}, got ${option}.`);
    }
    return option;
  }
  const variable = env[variableName];
  if (variable === undefined || variable.trim() === "") return undefined;
  const value = Number(variable);
  if (!/^\s*\d+\s*$/.test(variable) || !Number.isSafeInteger(value) || value < minimum) {
    throw new RangeError(
      `${variableName} must be a whole number of at least ${minimum}, got ${JSON.stringify(variable)}.`,
    );
  }
  return value;
}
