// The clean environment every client process gets: only what a Lambda sandbox sets, nothing inherited.
import path from "node:path";

/** What varies between clients and launches. */
export interface SandboxSettings {
  /** `host:port` of the fake Runtime API. */
  readonly runtimeApi: string;
  /** The folder with the function's code (`LAMBDA_TASK_ROOT`). */
  readonly taskRoot: string;
  /** The handler setting (`_HANDLER`), e.g. `index.streamed`. */
  readonly handler: string;
  /** The Node binary the client runs on; its folder leads `PATH`, as `/var/lang/bin` does on Lambda. */
  readonly nodeBinary: string;
}

/** The function's memory setting, in MB, as every client is told. */
export const MEMORY_SIZE_MB = 1024;

/**
 * The environment of a Lambda sandbox running a Node.js function, and nothing else: inherited variables
 * (`NODE_OPTIONS`, `NODE_EXTRA_CA_CERTS`, ...) change Node's start-up and would skew the comparison.
 */
export function sandboxEnvironment(settings: SandboxSettings): Record<string, string> {
  return {
    AWS_LAMBDA_RUNTIME_API: settings.runtimeApi,
    AWS_LAMBDA_FUNCTION_NAME: "bench",
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(MEMORY_SIZE_MB),
    AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/bench",
    AWS_LAMBDA_LOG_STREAM_NAME: "2026/01/01/[$LATEST]00000000000000000000000000000000",
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs24.x",
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
    LAMBDA_TASK_ROOT: settings.taskRoot,
    LAMBDA_RUNTIME_DIR: path.dirname(settings.nodeBinary),
    _HANDLER: settings.handler,
    TZ: ":UTC",
    LANG: "en_US.UTF-8",
    PATH: `${path.dirname(settings.nodeBinary)}:/usr/local/bin:/usr/bin:/bin`,
  };
}
