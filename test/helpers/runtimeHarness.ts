// Runs our runtime in-process against a FakeRuntimeApi and collects what it logs.
import { LambdaRuntime } from "../../runtime";
import type { AnyLambdaHandler } from "../../runtime";
import { FakeRuntimeApi } from "./fakeRuntimeApi";

export interface Harness {
  api: FakeRuntimeApi;
  runtime: LambdaRuntime;
  logs: string[];
  fatal: Error[];
  /** Resolves when the runtime's loop has ended. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: "test-fn",
  AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
  AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/test-fn",
  AWS_LAMBDA_LOG_STREAM_NAME: "2026/11/27/[$LATEST]abc",
};

/** Starts a fake Runtime API and our runtime against it. */
export async function startHarness(handler: AnyLambdaHandler, api?: FakeRuntimeApi): Promise<Harness> {
  const fake = api ?? (await new FakeRuntimeApi().start());
  const logs: string[] = [];
  const fatal: Error[] = [];
  const runtime = new LambdaRuntime(handler, {
    runtimeApi: fake.address,
    env: LAMBDA_ENV,
    log: { warn: (m) => logs.push(`WARN ${m}`), error: (m) => logs.push(`ERROR ${m}`) },
    onFatalError: (error) => fatal.push(error),
  });
  const done = runtime.run();
  return {
    api: fake,
    runtime,
    logs,
    fatal,
    done,
    async stop() {
      runtime.stop();
      await done;
      await fake.close();
    },
  };
}
