// Runs our runtime in-process against the fake Runtime API and collects what it logs.
import { LambdaRuntime, type AnyLambdaHandler } from "../../runtime";
import { FakeRuntimeApi, type FakeRuntimeApiOptions } from "./fakeRuntimeApi";

/** Our runtime serving a fake Runtime API, with what it logged and any fatal error. */
export interface Harness {
  readonly api: FakeRuntimeApi;
  readonly runtime: LambdaRuntime;
  readonly logs: string[];
  readonly fatal: Error[];
  /** Resolves when the runtime's loop has ended. */
  readonly done: Promise<void>;
  /** Stops the runtime and the fake (the fake first, so that a runtime stuck on it is released). */
  stop(): Promise<void>;
}

/** The function's environment as Lambda sets it, for runtimes started in-process. */
export const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: "test-fn",
  AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
  AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/test-fn",
  AWS_LAMBDA_LOG_STREAM_NAME: "2026/11/27/[$LATEST]abc",
};

const running = new Set<Harness>();

/**
 * Starts a fake Runtime API (with `options`), lets `prepare` queue events and faults, then starts our runtime
 * against it.
 */
export async function startHarness(
  handler: AnyLambdaHandler,
  prepare: (api: FakeRuntimeApi) => void = () => undefined,
  options: FakeRuntimeApiOptions = {},
): Promise<Harness> {
  const api = await new FakeRuntimeApi(options).start();
  prepare(api);
  const logs: string[] = [];
  const fatal: Error[] = [];
  const runtime = new LambdaRuntime(handler, {
    runtimeApi: api.address,
    env: LAMBDA_ENV,
    log: { warn: (m) => logs.push(`WARN ${m}`), error: (m) => logs.push(`ERROR ${m}`) },
    onFatalError: (error) => fatal.push(error),
  });
  const done = runtime.run();
  const harness: Harness = {
    api,
    runtime,
    logs,
    fatal,
    done,
    async stop() {
      running.delete(harness);
      runtime.stop();
      await api.close();
      await done;
    },
  };
  running.add(harness);
  return harness;
}

/** Stops every harness started by {@link startHarness} that is still running (for `afterEach`). */
export async function stopAllHarnesses(): Promise<void> {
  await Promise.all([...running].map((harness) => harness.stop()));
}
