// The bundle's entry point: loads the handler module lazily, so that a load failure goes to /init/error.
import { RuntimeApiClient } from "./client";
import { ConcurrentRuntime } from "./concurrency/concurrentRuntime";
import { toErrorPayload } from "./errors";
import { resolveHandler, type AnyLambdaHandler } from "./handler";
import { LambdaRuntime, type LambdaRuntimeOptions } from "./lambdaRuntime";
import { functionRuntimeLogger, startFunctionLogging } from "./logging/functionLogging";

/**
 * Loads the handler module, then runs its export. The bundler's generated entry calls this (it is not part of
 * the public API). The module is loaded lazily so that a handler which throws while loading, or has no such
 * export, is reported on `/init/error` as Lambda expects, instead of crashing the process before the runtime
 * runs. The function's logging starts before anything else and takes over the console for the process's life
 * (unless `options.patchConsole` is `false`), so what the module logs while it loads is already in the
 * function's format.
 * @param loadModule Imports the handler module.
 * @param exportName The export holding the handler.
 * @param options As for {@link LambdaRuntime}.
 */
export async function runHandlerModule(
  loadModule: () => Promise<Record<string, unknown>>,
  exportName: string,
  options: LambdaRuntimeOptions = {},
): Promise<void> {
  await startFunctionLogging({ patchConsole: options.patchConsole !== false });
  let concurrent: ConcurrentRuntime | undefined;
  try {
    concurrent = ConcurrentRuntime.for(options);
  } catch (error) {
    return reportInitError(error, options);
  }
  // With worker threads (AWS_LAMBDA_MAX_CONCURRENCY over 1), each worker runs this entry again and loads the
  // handler module; the main thread only supervises them and never loads it.
  if (concurrent?.supervises) return concurrent.supervise();
  let handler: unknown;
  try {
    const module = await loadModule();
    handler = module[exportName];
    resolveHandler(handler, `the handler module's "${exportName}" export`);
  } catch (error) {
    await reportInitError(error, options);
    return;
  }
  await new LambdaRuntime(handler as AnyLambdaHandler, options).run();
}

async function reportInitError(error: unknown, options: LambdaRuntimeOptions): Promise<void> {
  const log = options.log ?? functionRuntimeLogger;
  const payload = toErrorPayload(error);
  log.error(`[runtime] the handler failed to load: ${payload.errorType}: ${payload.errorMessage}`, error);
  const runtimeApi = options.runtimeApi ?? (options.env ?? process.env).AWS_LAMBDA_RUNTIME_API;
  if (runtimeApi) {
    const client = new RuntimeApiClient(runtimeApi);
    try {
      await client.sendInitError(payload);
    } catch (reportError) {
      log.error(`[runtime] could not report the init error: ${(reportError as Error).message}`, reportError);
    } finally {
      client.close();
    }
  }
  const initError = new Error(`init failed: ${payload.errorType}: ${payload.errorMessage}`);
  if (options.onFatalError) options.onFatalError(initError);
  else process.exit(1);
}
