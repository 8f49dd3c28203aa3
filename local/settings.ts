// The local server's settings: options, else LOCAL_LAMBDA_* environment variables, else defaults; checked.
import { API_GATEWAY_METHODS, routeProblem, type LocalRoute, type RouteMethod } from "./gateway/route";
import type { FunctionErrorReport, InvocationEvent } from "./runtimeApi/invocation";

/** Settings of the local server. Every field is optional. */
export interface LocalServerOptions {
  /** Interface to bind. Loopback unless told otherwise. @default process.env.LOCAL_LAMBDA_HOST ?? "127.0.0.1" */
  host?: string;
  /** Port to bind; 0 picks a free one. @default Number(process.env.LOCAL_LAMBDA_PORT ?? 7000) */
  port?: number;
  /**
   * The resource path the emulated API routes to the function, as the component's `path` argument deploys it
   * (with a leading `/`): literal segments, `{name}` parameters, a last greedy `{name+}` (e.g. `/{proxy+}`).
   * Other paths get API Gateway's answer for an unknown route (403 "Missing Authentication Token").
   * `"*"` routes every path and method to the function (`/` and `/{proxy+}` resources).
   * @default process.env.LOCAL_LAMBDA_ROUTE ?? "/stream" (the example stack's route)
   */
  route?: string;
  /**
   * The route's HTTP method, as the component's `method` argument: `ANY` or one of GET, POST, PUT, PATCH,
   * DELETE, HEAD, OPTIONS. Other methods on the route get the unknown-route answer.
   * @default process.env.LOCAL_LAMBDA_METHOD ?? "ANY"
   */
  method?: RouteMethod;
  /**
   * Time an invocation may run, in ms, from the moment the runtime receives it; sent as
   * `Lambda-Runtime-Deadline-Ms`. Past it, a request still waiting for its first byte gets a 504 and a stream
   * is cut.
   * @default Number(process.env.LOCAL_LAMBDA_TIMEOUT_MS ?? 60000)
   */
  timeoutMs?: number;
  /** API Gateway stage name, in `requestContext.stage`. @default "local" */
  stage?: string;
  /**
   * Time a client may take to send its request headers, and then its body, in ms. Past it the client gets a
   * 408 and its connection is closed, so a stalled or trickling client holds nothing. The runtime's own
   * requests are not limited (a streamed response is a request that may last 15 minutes).
   * @default 30000
   */
  clientRequestTimeoutMs?: number;
  /**
   * After this many ms with a request queued and no runtime polling the Runtime API, say so in the log (once
   * per request): with `npm run emulator`, nothing serves requests until a Runtime API client starts.
   * @default 3000
   */
  noRuntimeWarningMs?: number;
  /** Where to write one line per invocation and per error a developer should see. @default stderr */
  log?: (line: string) => void;
  /**
   * Called when a runtime reports `POST /init/error` (its handler failed to load), after the requests waiting
   * for it have been answered with the error.
   * @default nothing beyond the log line
   */
  onInitError?: (error: FunctionErrorReport) => void;
  /**
   * Told each time an invocation changes state (`queued`, `dispatched`, `replying`, `done`): for tools that
   * show progress, and for tests that wait on events rather than on time.
   * @default nothing
   */
  onInvocation?: (event: InvocationEvent) => void;
  /**
   * Told each time a runtime asks for an invocation (`GET /next`): the first call means the runtime is up.
   * @default nothing
   */
  onPoll?: () => void;
}

/** The settings in effect. */
export interface LocalServerSettings {
  readonly host: string;
  readonly port: number;
  readonly route: LocalRoute;
  readonly timeoutMs: number;
  readonly stage: string;
  readonly clientRequestTimeoutMs: number;
  readonly noRuntimeWarningMs: number;
  readonly log: (line: string) => void;
  readonly onInitError: ((error: FunctionErrorReport) => void) | undefined;
  readonly onInvocation: ((event: InvocationEvent) => void) | undefined;
  readonly onPoll: (() => void) | undefined;
}

/**
 * Applies the environment and the defaults to `options` and checks the result.
 * @param options What the caller set.
 * @param env Where `LOCAL_LAMBDA_*` variables are read. @default process.env
 * @throws RangeError naming the setting (option or variable) and what it must be.
 */
export function resolveSettings(
  options: LocalServerOptions,
  env: Readonly<Record<string, string | undefined>> = process.env,
): LocalServerSettings {
  const port = options.port ?? integerFromEnv("LOCAL_LAMBDA_PORT", env.LOCAL_LAMBDA_PORT, 7000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`port must be an integer from 0 to 65535, got ${port}.`);
  }
  const timeoutMs =
    options.timeoutMs ?? integerFromEnv("LOCAL_LAMBDA_TIMEOUT_MS", env.LOCAL_LAMBDA_TIMEOUT_MS, 60000);
  positiveInteger("timeoutMs", timeoutMs);
  const clientRequestTimeoutMs = options.clientRequestTimeoutMs ?? 30000;
  positiveInteger("clientRequestTimeoutMs", clientRequestTimeoutMs);
  const noRuntimeWarningMs = options.noRuntimeWarningMs ?? 3000;
  positiveInteger("noRuntimeWarningMs", noRuntimeWarningMs);
  return {
    host: options.host ?? (env.LOCAL_LAMBDA_HOST || "127.0.0.1"),
    port,
    route: resolveRoute(options, env),
    timeoutMs,
    stage: options.stage ?? "local",
    clientRequestTimeoutMs,
    noRuntimeWarningMs,
    log: options.log ?? ((line) => process.stderr.write(`[local-server] ${line}\n`)),
    onInitError: options.onInitError,
    onInvocation: options.onInvocation,
    onPoll: options.onPoll,
  };
}

function resolveRoute(
  options: LocalServerOptions,
  env: Readonly<Record<string, string | undefined>>,
): LocalRoute {
  const fromEnv = options.route === undefined && env.LOCAL_LAMBDA_ROUTE;
  const path = options.route ?? (env.LOCAL_LAMBDA_ROUTE || "/stream");
  const problem = routeProblem(path);
  if (problem !== undefined) {
    throw new RangeError(
      `${fromEnv ? "LOCAL_LAMBDA_ROUTE" : "route"} ${problem}, got ${JSON.stringify(path)}.`,
    );
  }
  const methodFromEnv = options.method === undefined && env.LOCAL_LAMBDA_METHOD;
  const method = (options.method ?? (env.LOCAL_LAMBDA_METHOD || "ANY")).toUpperCase();
  const methods: readonly string[] = ["ANY", ...API_GATEWAY_METHODS];
  if (!methods.includes(method)) {
    throw new RangeError(
      `${methodFromEnv ? "LOCAL_LAMBDA_METHOD" : "method"} must be one of ${methods.join(", ")}, got ` +
        `${JSON.stringify(options.method ?? env.LOCAL_LAMBDA_METHOD)}.`,
    );
  }
  return { path, method: method as RouteMethod };
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer (milliseconds), got ${value}.`);
  }
}

function integerFromEnv(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed))
    throw new RangeError(`${name} must be an integer, got ${JSON.stringify(value)}.`);
  return parsed;
}
