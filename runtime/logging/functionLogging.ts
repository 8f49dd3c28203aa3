// The function's logging, once per thread: its logger made from Lambda's settings, and the console it takes over.
import type { RuntimeLogger } from "../loop";
import { patchConsole } from "./consolePatch";
import { connectFdProviderSocket } from "./fdProviderSocket";
import { LogLevels } from "./levels";
import { FunctionLogger } from "./logger";
import { readLogSettings, takeLogDestination } from "./settings";
import { LineFdSink, StdoutSink, TelemetryFdSink } from "./sinks";

interface Shared {
  readonly logger: FunctionLogger;
  /** Settles once the destination is in place (the log socket takes a connection). */
  readonly ready: Promise<void>;
}

let shared: Shared | undefined;
let consoleHolders = 0;
let restoreConsole: (() => void) | undefined;

/**
 * The function's logger, made on first use from `process.env` (`AWS_LAMBDA_LOG_FORMAT`,
 * `AWS_LAMBDA_LOG_LEVEL`, and where to write: see `takeLogDestination`, which takes
 * `_LAMBDA_TELEMETRY_LOG_FD` out of the environment).
 */
export function functionLogger(): FunctionLogger {
  return setUp().logger;
}

function setUp(): Shared {
  if (shared) return shared;
  const settings = readLogSettings(process.env);
  const { destination, warning } = takeLogDestination(process.env);
  const stdout = (): StdoutSink => new StdoutSink(process.stdout);
  const logger = new FunctionLogger(
    settings,
    destination.kind === "telemetry-fd" ? new TelemetryFdSink(destination.fd, settings.format) : stdout(),
    stdout,
  );
  let ready: Promise<void> = Promise.resolve();
  if (destination.kind === "fd-provider-socket") {
    ready = connectFdProviderSocket(destination.path).then(
      (fd) => logger.useSink(new LineFdSink(fd, `the log socket ${destination.path}`)),
      (error: Error) => logger.log(LogLevels.WARN, [`[runtime] ${error.message}; logging to stdout.`]),
    );
  }
  for (const problem of [settings.warning, warning]) if (problem) logger.log(LogLevels.WARN, [problem]);
  shared = { logger, ready };
  return shared;
}

/** Options of {@link startFunctionLogging}. */
export interface FunctionLoggingOptions {
  /** Take over the console methods (see `patchConsole`). */
  readonly patchConsole: boolean;
}

/**
 * Starts the function's logging before any of its code runs: waits for the destination, then (with
 * `patchConsole`) takes over the console. Several runtimes in one thread share it; the console is given
 * back when the last of them releases it.
 * @param options Whether to take over the console.
 * @returns Releases this holder's use of the console (idempotent).
 */
export async function startFunctionLogging(options: FunctionLoggingOptions): Promise<() => void> {
  const { logger, ready } = setUp();
  await ready;
  if (!options.patchConsole) return () => undefined;
  if (consoleHolders++ === 0) restoreConsole = patchConsole(logger);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--consoleHolders === 0) {
      restoreConsole?.();
      restoreConsole = undefined;
    }
  };
}

/**
 * The runtime's own messages through the function's logger: warnings at `WARN`, errors at `ERROR` (with the
 * error's fields in JSON records), each with the request id of the invocation it is about.
 */
export const functionRuntimeLogger: RuntimeLogger = {
  warn: (message) => functionLogger().log(LogLevels.WARN, [message]),
  error: (message, ...about: unknown[]) =>
    about.length === 0
      ? functionLogger().log(LogLevels.ERROR, [message])
      : functionLogger().logError(LogLevels.ERROR, message, about[0]),
};
