// `LambdaRuntime`: validates the handler, picks the Runtime API (AWS's, or a local one), runs the loop.
import { RuntimeApiClient } from "./client";
import { ConcurrentRuntime } from "./concurrency/concurrentRuntime";
import type { ConcurrencyOptions } from "./concurrency/plan";
import { functionIdentity } from "./context";
import { corsPolicyFromEnv, type CorsPolicy } from "./cors";
import { toErrorPayload } from "./errors";
import { resolveHandler, type AnyLambdaHandler, type ResolvedHandler } from "./handler";
import { runInInvocation } from "./invocationScope";
import { importLocalServer, type StartLocalServer } from "./localServerLoader";
import { functionRuntimeLogger, startFunctionLogging } from "./logging/functionLogging";
import { reportFailure, runLoop, type ActiveInvocation, type LoopConfig, type RuntimeLogger } from "./loop";

/** Options of {@link LambdaRuntime}. All have defaults read from the environment Lambda sets. */
export interface LambdaRuntimeOptions extends ConcurrencyOptions {
  /**
   * `host:port` of the Lambda Runtime API. When absent, a local server is started instead (see
   * {@link startLocalServer}), so the same handler runs and can be curled without AWS.
   * @default process.env.AWS_LAMBDA_RUNTIME_API
   */
  runtimeApi?: string;
  /**
   * Starts the local server used when there is no Runtime API address. Pass `startLocalServer` from
   * `streaming-rest-api/local` to choose its settings, or any function returning a Runtime API address.
   * @default imports `streaming-rest-api/local` at that moment (it is never bundled: see `importLocalServer`)
   */
  startLocalServer?: StartLocalServer;
  /** Environment to read the function's identity from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Where the runtime's own warnings and errors go.
   * @default the function's log, as Lambda's runtime writes it: one record per message, with the timestamp,
   * the invocation's request id and the level (`WARN`, `ERROR`), in `AWS_LAMBDA_LOG_FORMAT`
   */
  log?: RuntimeLogger;
  /**
   * Take over `console.trace/debug/info/log/warn/error` (and add `console.fatal`) while the runtime runs, as
   * Lambda's Node.js runtime does: each call becomes one record with the timestamp, the request id of the
   * invocation that made it and its level, in the format `AWS_LAMBDA_LOG_FORMAT` names (Text or JSON),
   * filtered by `AWS_LAMBDA_LOG_LEVEL`, written to Lambda's telemetry descriptor (`_LAMBDA_TELEMETRY_LOG_FD`)
   * or else to stdout. `false` leaves `console` as it is (the runtime's own messages still go to `log`).
   * The console is given back when `run()` returns.
   * @default true
   */
  patchConsole?: boolean;
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
  /** Set when several invocations are served at once (`AWS_LAMBDA_MAX_CONCURRENCY` over 1). */
  #concurrent: ConcurrentRuntime | undefined;

  readonly #options: LambdaRuntimeOptions;

  /**
   * @param handler a streaming handler (function or object with `handle`), or `buffered(fn)`.
   * @param options Where the Runtime API is, and how to log and fail; see {@link LambdaRuntimeOptions}.
   * @throws TypeError naming the argument when `handler` is none of those.
   */
  constructor(handler: AnyLambdaHandler, options: LambdaRuntimeOptions = {}) {
    this.#handler = resolveHandler(handler, "handler");
    this.#options = options;
  }

  /**
   * Serves invocations until `stop()` (or SIGTERM). Without a Runtime API address, starts the local server
   * (`LOCAL_LAMBDA_HOST`, `LOCAL_LAMBDA_PORT`; default 127.0.0.1:7000) and serves its invocations.
   */
  async run(): Promise<void> {
    const releaseConsole = await startFunctionLogging({ patchConsole: this.#options.patchConsole !== false });
    try {
      await this.#run();
    } finally {
      releaseConsole();
    }
  }

  /** Where the runtime's own messages go. */
  get #log(): RuntimeLogger {
    return this.#options.log ?? functionRuntimeLogger;
  }

  async #run(): Promise<void> {
    try {
      this.#concurrent = ConcurrentRuntime.for(this.#options);
    } catch (error) {
      return this.#fatal(error as Error);
    }
    if (this.#concurrent?.supervises) return this.#concurrent.supervise();
    const env = this.#options.env ?? process.env;
    let runtimeApi = this.#options.runtimeApi ?? env.AWS_LAMBDA_RUNTIME_API;
    let closeLocalServer: (() => Promise<void>) | undefined;
    // What a deployment would set in the function's environment for the local server's settings (CORS).
    let localEnvironment: Readonly<Record<string, string>> = {};
    if (!runtimeApi) {
      try {
        const start = this.#options.startLocalServer ?? (await importLocalServer());
        const server = await start();
        runtimeApi = server.runtimeApi;
        localEnvironment = server.functionEnvironment ?? {};
        closeLocalServer = () => server.close();
      } catch (error) {
        return this.#fatal(error as Error);
      }
    }
    const client = new RuntimeApiClient(runtimeApi);
    this.#client = client;
    let cors: CorsPolicy | undefined;
    try {
      cors = corsPolicyFromEnv({ ...env, ...localEnvironment });
    } catch (error) {
      return this.#initFailed(error as Error, client, closeLocalServer);
    }
    const onSigterm = (): void => this.stop();
    const onCrash = (error: unknown): void => void this.#crash(error);
    process.once("SIGTERM", onSigterm);
    process.on("uncaughtException", onCrash);
    process.on("unhandledRejection", onCrash);
    try {
      await this.#serve({
        client,
        handler: cors ? cors.handler(this.#handler) : this.#handler,
        preludeHookFor: cors && ((event) => cors.preludeHookFor(event)),
        identity: functionIdentity(env),
        log: this.#log,
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
    this.#concurrent?.stop();
  }

  /** The loop: one copy, or with several invocations at once one per invocation (see concurrency/). */
  #serve(config: LoopConfig): Promise<void> {
    return this.#concurrent ? this.#concurrent.serve(config) : runLoop(config);
  }

  /**
   * An error the handler left uncaught (thrown in a callback, a rejection nobody awaited): report it on the
   * invocation in progress, as AWS's own client does, then end the process, whose state is now unknown.
   */
  async #crash(error: unknown): Promise<void> {
    if (this.#concurrent) return this.#concurrent.handleCrash(error, (fatal) => this.#fatal(fatal));
    if (this.#crashing) return;
    this.#crashing = true;
    this.#stopping = true;
    const log = this.#log;
    const payload = toErrorPayload(error);
    const active = this.#active;
    const client = this.#client;
    const report = async (): Promise<void> => {
      log.error(
        `[runtime] uncaught error, the process will exit: ${payload.errorType}: ${payload.errorMessage}`,
        error,
      );
      if (!active || !client) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        reportFailure({ client, log }, active, error),
        new Promise((resolve) => (timer = setTimeout(resolve, CRASH_REPORT_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
    };
    // Reported as part of the invocation it broke, so its log records carry that invocation's request id.
    const { requestId, traceId, tenantId } = active ?? {};
    await (requestId === undefined ? report() : runInInvocation({ requestId, traceId, tenantId }, report));
    this.#fatal(error instanceof Error ? error : new Error(`${payload.errorType}: ${payload.errorMessage}`));
  }

  /** A setting the function cannot start with: reported on `/init/error`, as Lambda expects, then fatal. */
  async #initFailed(
    error: Error,
    client: RuntimeApiClient,
    closeLocalServer: (() => Promise<void>) | undefined,
  ): Promise<void> {
    const log = this.#log;
    try {
      await client.sendInitError(toErrorPayload(error));
    } catch (reportError) {
      log.error(`[runtime] could not report the init error: ${(reportError as Error).message}`, reportError);
    }
    client.close();
    await closeLocalServer?.();
    this.#fatal(error);
  }

  #fatal(error: Error): void {
    if (this.#options.onFatalError) return this.#options.onFatalError(error);
    this.#log.error(`[runtime] fatal: ${error.message}`, error);
    process.exit(1);
  }
}

function setTraceId(traceId: string | undefined): void {
  if (traceId === undefined) delete process.env._X_AMZN_TRACE_ID;
  else process.env._X_AMZN_TRACE_ID = traceId;
}
