// `LambdaRuntime`: validates the handler, picks the Runtime API (AWS's, or a local one), runs the loop.
import { RuntimeApiClient } from "./client";
import { functionIdentity } from "./context";
import { toErrorPayload } from "./errors";
import { resolveHandler, type AnyLambdaHandler, type ResolvedHandler } from "./handler";
import { importLocalServer, type StartLocalServer } from "./localServerLoader";
import { reportFailure, runLoop, type ActiveInvocation, type RuntimeLogger } from "./loop";

/** Options of {@link LambdaRuntime}. All have defaults read from the environment Lambda sets. */
export interface LambdaRuntimeOptions {
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
    const env = this.#options.env ?? process.env;
    let runtimeApi = this.#options.runtimeApi ?? env.AWS_LAMBDA_RUNTIME_API;
    let closeLocalServer: (() => Promise<void>) | undefined;
    if (!runtimeApi) {
      try {
        const start = this.#options.startLocalServer ?? (await importLocalServer());
        const server = await start();
        runtimeApi = server.runtimeApi;
        closeLocalServer = () => server.close();
      } catch (error) {
        return this.#fatal(error as Error);
      }
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
        log: this.#options.log ?? console,
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
    const log = this.#options.log ?? console;
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
    if (this.#options.onFatalError) return this.#options.onFatalError(error);
    (this.#options.log ?? console).error(`[runtime] fatal: ${error.message}`);
    process.exit(1);
  }
}

function setTraceId(traceId: string | undefined): void {
  if (traceId === undefined) delete process.env._X_AMZN_TRACE_ID;
  else process.env._X_AMZN_TRACE_ID = traceId;
}
