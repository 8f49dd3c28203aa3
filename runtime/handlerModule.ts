// The bundle's entry point: loads the handler module lazily, so that a load failure goes to /init/error.
import { RuntimeApiClient } from "./client";
import { toErrorPayload } from "./errors";
import { resolveHandler, type AnyLambdaHandler } from "./handler";
import { LambdaRuntime, type LambdaRuntimeOptions } from "./lambdaRuntime";

/**
 * Loads the handler module, then runs its export. The bundler's generated entry calls this (it is not part of
 * the public API). The module is loaded lazily so that a handler which throws while loading, or has no such
 * export, is reported on `/init/error` as Lambda expects, instead of crashing the process before the runtime
 * runs.
 * @param loadModule Imports the handler module.
 * @param exportName The export holding the handler.
 * @param options As for {@link LambdaRuntime}.
 */
export async function runHandlerModule(
  loadModule: () => Promise<Record<string, unknown>>,
  exportName: string,
  options: LambdaRuntimeOptions = {},
): Promise<void> {
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
  const log = options.log ?? console;
  const payload = toErrorPayload(error);
  log.error(`[runtime] the handler failed to load: ${payload.errorType}: ${payload.errorMessage}`);
  const runtimeApi = options.runtimeApi ?? (options.env ?? process.env).AWS_LAMBDA_RUNTIME_API;
  if (runtimeApi) {
    const client = new RuntimeApiClient(runtimeApi);
    try {
      await client.sendInitError(payload);
    } catch (reportError) {
      log.error(`[runtime] could not report the init error: ${(reportError as Error).message}`);
    } finally {
      client.close();
    }
  }
  const initError = new Error(`init failed: ${payload.errorType}: ${payload.errorMessage}`);
  if (options.onFatalError) options.onFatalError(initError);
  else process.exit(1);
}
