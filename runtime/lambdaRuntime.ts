// `LambdaRuntime`: validates the handler, picks the Runtime API (AWS's, or the local server), runs the loop.
import { RuntimeApiClient } from "./client";
import { functionIdentity } from "./context";
import { RuntimeApiError, toErrorPayload } from "./errors";
import type { AnyLambdaHandler } from "./handler";
import {
  reportFailure,
  runLoop,
  type ActiveInvocation,
  type ResolvedHandler,
  type RuntimeLogger,
} from "./loop";

// Set by the bundler: false in deployed bundles, so the local server is left out of them.
declare const __INCLUDE_LOCAL_SERVER__: boolean | undefined;

/** Options of {@link LambdaRuntime}. All have defaults read from the environment Lambda sets. */
export interface LambdaRuntimeOptions {
  /**
   * `host:port` of the Lambda Runtime API. When absent, a local server is started instead (see
   * `startLocalServer`), so the same handler runs and can be curled without AWS.
   * @default process.env.AWS_LAMBDA_RUNTIME_API
   */
  runtimeApi?: string;
  /** Environment to read the function's identity from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where the runtime's own warnings and errors go. @default console */
  log?: RuntimeLogger;
  /**
   * Called with a fatal error (the Runtime API is unreachable or answered `/next` unexpectedly). Lambda
   * restarts a runtime that exits, so the default logs the error and exits with status 1.
   * @default logs, then process.exit(1)
   */
  onFatalError?: (error: Error) => void;
}

/** How long a crashing runtime waits for its last error report to be accepted. */
const CRASH_REPORT_TIMEOUT_MS = 2000;

/** Runs a handler against the Lambda Runtime API (or, without one, against the local server). */
export class LambdaRuntime {
  readonly #handler: ResolvedHandler;
  #stopping = false;
  #idle = false;
  #client: RuntimeApiClient | undefined;
  #active: ActiveInvocation | undefined;
  #crashing = false;

  /**
   * @param handler a streaming handler (function or object with `handle`), or `buffered(fn)`.
   * @throws TypeError naming the argument when `handler` is none of those.
   */
  constructor(
    handler: AnyLambdaHandler,
    private readonly options: LambdaRuntimeOptions = {},
  ) {
    this.#handler = resolveHandler(handler, "handler");
  }

  /**
   * Serves invocations until `stop()` (or SIGTERM). Without a Runtime API address, starts the local server
   * (`LOCAL_LAMBDA_HOST`, `LOCAL_LAMBDA_PORT`; default 127.0.0.1:7000) and serves its invocations.
   */
  async run(): Promise<void> {
    const env = this.options.env ?? process.env;
    let runtimeApi = this.options.runtimeApi ?? env.AWS_LAMBDA_RUNTIME_API;
    let closeLocalServer: (() => Promise<void>) | undefined;
    if (!runtimeApi) {
      const server = await startBundledLocalServer();
      runtimeApi = server.runtimeApi;
      closeLocalServer = () => server.close();
    }
    const client = new RuntimeApiClient(runtimeApi);
    this.#client = client;
    const onSigterm = (): void => this.stop();
    const onCrash = (error: unknown): void => void this.#crash(error);
    process.once("SIGTERM", onSigterm);
    process.on("uncaughtException", onCrash);
    process.on("unhandledRejection", onCrash);
    try {
      await runLoop({
        client,
        handler: this.#handler,
        identity: functionIdentity(env),
        log: this.options.log ?? console,
        setTraceId,
        shouldContinue: () => !this.#stopping,
        onIdle: (idle) => (this.#idle = idle),
        onInvocation: (active) => (this.#active = active),
      });
    } catch (error) {
      if (!this.#stopping) this.#fatal(error as Error);
    } finally {
      process.off("SIGTERM", onSigterm);
      process.off("uncaughtException", onCrash);
      process.off("unhandledRejection", onCrash);
      client.close();
      await closeLocalServer?.();
    }
  }

  /** Stops after the invocation in progress; at once when waiting for the next one. */
  stop(): void {
    this.#stopping = true;
    if (this.#idle) this.#client?.close();
  }

  /**
   * An error the handler left uncaught (thrown in a callback, a rejection nobody awaited): report it on the
   * invocation in progress, as AWS's own client does, then end the process, whose state is now unknown.
   */
  async #crash(error: unknown): Promise<void> {
    if (this.#crashing) return;
    this.#crashing = true;
    this.#stopping = true;
    const log = this.options.log ?? console;
    const payload = toErrorPayload(error);
    log.error(
      `[runtime] uncaught error, the process will exit: ${payload.errorType}: ${payload.errorMessage}`,
    );
    const active = this.#active;
    const client = this.#client;
    if (active && client) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        reportFailure({ client, log }, active, error),
        new Promise((resolve) => (timer = setTimeout(resolve, CRASH_REPORT_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
    }
    this.#fatal(error instanceof Error ? error : new Error(`${payload.errorType}: ${payload.errorMessage}`));
  }

  #fatal(error: Error): void {
    if (this.options.onFatalError) return this.options.onFatalError(error);
    (this.options.log ?? console).error(`[runtime] fatal: ${error.message}`);
    process.exit(1);
  }
}

/**
 * Loads the handler module, then runs it. Used by the bundle's entry point: the module is loaded lazily so
 * that a handler which throws while loading (or has no such export) is reported on `/init/error`, the way
 * Lambda expects, instead of crashing the process before the runtime runs.
 */
export async function runHandlerModule(
  loadModule: () => Promise<Record<string, unknown>>,
  exportName: string,
  options: LambdaRuntimeOptions = {},
): Promise<void> {
  let handler: ResolvedHandler;
  try {
    const module = await loadModule();
    handler = resolveHandler(module[exportName], `the handler module's "${exportName}" export`);
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

function resolveHandler(handler: unknown, what: string): ResolvedHandler {
  if (typeof handler === "function") {
    return { kind: "streaming", handle: handler as ResolvedHandler & never };
  }
  if (typeof handler === "object" && handler !== null) {
    const candidate = handler as { kind?: unknown; handler?: unknown; handle?: unknown };
    if (candidate.kind === "buffered" && typeof candidate.handler === "function") {
      return handler as ResolvedHandler;
    }
    if (typeof candidate.handle === "function") {
      const handle = candidate.handle;
      return {
        kind: "streaming",
        handle: (event, writer, context) => handle.call(handler, event, writer, context),
      };
    }
  }
  throw new TypeError(
    `${what} must be a streaming handler (an async function (event, responseWriter, context), or an object ` +
      `with such a handle method) or a buffered one made with buffered(fn); got ${handler === null ? "null" : typeof handler}.`,
  );
}

/**
 * Starts the local server, unless this is a deployed bundle: there the bundler defines
 * `__INCLUDE_LOCAL_SERVER__` as false, the branch is dead, and the server's code is left out of the bundle.
 */
function startBundledLocalServer(): Promise<{ runtimeApi: string; close(): Promise<void> }> {
  if (typeof __INCLUDE_LOCAL_SERVER__ === "undefined" || __INCLUDE_LOCAL_SERVER__) {
    // A require (not import()) so that the same line works under ts-node (CommonJS) and in the ESM
    // bundle, where esbuild inlines the module.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startLocalServer } = require("./localServer") as typeof import("./localServer");
    return startLocalServer();
  } else {
    return Promise.reject(
      new RuntimeApiError(
        "AWS_LAMBDA_RUNTIME_API is not set: this bundle was built for Lambda, without the local server.",
        "",
      ),
    );
  }
}

function setTraceId(traceId: string | undefined): void {
  if (traceId === undefined) delete process.env._X_AMZN_TRACE_ID;
  else process.env._X_AMZN_TRACE_ID = traceId;
}
