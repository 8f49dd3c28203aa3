// The local server's settings: options, else LOCAL_LAMBDA_* environment variables, else defaults; checked.
import { API_GATEWAY_METHODS, routeProblem, type LocalRoute, type RouteMethod } from "./gateway/route";
import type { FunctionErrorReport, InvocationEvent } from "./runtimeApi/invocation";
import {
  binaryMediaTypeProblem,
  DEFAULT_BINARY_MEDIA_TYPES,
  parseBinaryMediaTypes,
} from "./gateway/binaryMediaTypes";
import type { CorsSettings } from "../runtime/cors";
import type { IamCredentials } from "./auth/sigv4Verifier";
import { resolveLocalCors } from "./gateway/cors";

/** The route's authorization the local server can enforce, as the component's `authorization` argument. */
export type LocalAuthorization = "NONE" | "AWS_IAM";

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
  /**
   * Invocations served at once. 1 is one Lambda execution environment: requests queue and run one at a time.
   * N > 1 is one environment of Lambda Managed Instances: up to N run at once, the Runtime API accepting N
   * concurrent `GET /next` polls (so any Runtime API client can be tried against it); run the runtime with
   * `AWS_LAMBDA_MAX_CONCURRENCY=N` (`npm start` sets it) for it to poll that many.
   * @default Number(process.env.LOCAL_LAMBDA_CONCURRENCY ?? 1)
   */
  concurrency?: number;
  /** API Gateway stage name, in `requestContext.stage`. @default "local" */
  stage?: string;
  /**
   * The API's binary media types, as the component's `binaryMediaTypes` argument: a request body whose
   * `Content-Type` matches one (`image/png`, `image/*`, `*` + `/` + `*`; no `Content-Type` counts as
   * `application/json`) reaches the function base64-encoded with `isBase64Encoded: true`, any other as UTF-8
   * text. An empty list sends every body as text.
   * @default process.env.LOCAL_LAMBDA_BINARY_MEDIA_TYPES (comma-separated), else DEFAULT_BINARY_MEDIA_TYPES
   *   (every type: the component's default)
   */
  binaryMediaTypes?: readonly string[];
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
   * The route's authorization: `NONE`, or `AWS_IAM` to require requests signed with SigV4 (service
   * `execute-api`, any region) by {@link credentials}, answered as API Gateway answers otherwise (403 with a
   * JSON `message`). `POST /invoke` and the Runtime API are never checked.
   * @default process.env.LOCAL_LAMBDA_AUTH ?? "NONE"
   */
  auth?: LocalAuthorization;
  /**
   * The credentials callers must sign with under `AWS_IAM`.
   * @default AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from the server's environment
   */
  credentials?: IamCredentials;
  /**
   * CORS, as the component's `cors` argument: preflights (`OPTIONS` on the route) are answered without
   * authorization, API Gateway's own errors carry `Access-Control-Allow-Origin`, and the runtime is told the
   * settings (see `LocalServer.functionEnvironment`) so that streamed responses carry the headers as deployed.
   * @default origins from process.env.LOCAL_LAMBDA_CORS_ORIGINS (comma-separated), else no CORS
   */
  cors?: CorsSettings;
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
  /** Invocations served at once (see {@link LocalServerOptions.concurrency}). */
  readonly concurrency: number;
  readonly stage: string;
  /** The API's binary media types (see {@link LocalServerOptions.binaryMediaTypes}). */
  readonly binaryMediaTypes: readonly string[];
  readonly clientRequestTimeoutMs: number;
  readonly noRuntimeWarningMs: number;
  readonly log: (line: string) => void;
  /** Set when the route requires SigV4 signatures (`AWS_IAM`). */
  readonly auth: { readonly credentials: IamCredentials } | undefined;
  /** The CORS settings, defaults filled in; `undefined` for no CORS. */
  readonly cors: CorsSettings | undefined;
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
  const concurrency = resolveConcurrency(options, env);
  const clientRequestTimeoutMs = options.clientRequestTimeoutMs ?? 30000;
  positiveInteger("clientRequestTimeoutMs", clientRequestTimeoutMs);
  const noRuntimeWarningMs = options.noRuntimeWarningMs ?? 3000;
  positiveInteger("noRuntimeWarningMs", noRuntimeWarningMs);
  const route = resolveRoute(options, env);
  return {
    host: options.host ?? (env.LOCAL_LAMBDA_HOST || "127.0.0.1"),
    port,
    route,
    timeoutMs,
    concurrency,
    stage: options.stage ?? "local",
    binaryMediaTypes: resolveBinaryMediaTypes(options, env),
    clientRequestTimeoutMs,
    noRuntimeWarningMs,
    log: options.log ?? ((line) => process.stderr.write(`[local-server] ${line}\n`)),
    auth: resolveAuth(options, env),
    cors: resolveLocalCors(options.cors, env.LOCAL_LAMBDA_CORS_ORIGINS, route.method),
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

function resolveAuth(
  options: LocalServerOptions,
  env: Readonly<Record<string, string | undefined>>,
): LocalServerSettings["auth"] {
  const fromEnv = options.auth === undefined && env.LOCAL_LAMBDA_AUTH;
  const auth = (options.auth ?? (env.LOCAL_LAMBDA_AUTH || "NONE")).toUpperCase();
  if (auth === "NONE") return undefined;
  if (auth !== "AWS_IAM") {
    throw new RangeError(
      `${fromEnv ? "LOCAL_LAMBDA_AUTH" : "auth"} must be NONE or AWS_IAM (the local server does not emulate ` +
        `Cognito or Lambda authorizers), got ${JSON.stringify(options.auth ?? env.LOCAL_LAMBDA_AUTH)}.`,
    );
  }
  const credentials = options.credentials ?? {
    accessKeyId: env.AWS_ACCESS_KEY_ID ?? "",
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "",
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  };
  if (!credentials.accessKeyId || !credentials.secretAccessKey) {
    throw new RangeError(
      `${fromEnv ? "LOCAL_LAMBDA_AUTH" : "auth"}=AWS_IAM checks signatures against the local server's own ` +
        (options.credentials
          ? "credentials: the credentials option needs accessKeyId and secretAccessKey."
          : "credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary " +
            'ones) in its environment, e.g. eval "$(aws configure export-credentials --format env)".'),
    );
  }
  return { credentials };
}

function resolveBinaryMediaTypes(
  options: LocalServerOptions,
  env: Readonly<Record<string, string | undefined>>,
): readonly string[] {
  const fromEnv = options.binaryMediaTypes === undefined && env.LOCAL_LAMBDA_BINARY_MEDIA_TYPES !== undefined;
  const name = fromEnv ? "LOCAL_LAMBDA_BINARY_MEDIA_TYPES" : "binaryMediaTypes";
  const types =
    options.binaryMediaTypes ??
    (env.LOCAL_LAMBDA_BINARY_MEDIA_TYPES === undefined
      ? DEFAULT_BINARY_MEDIA_TYPES
      : parseBinaryMediaTypes(env.LOCAL_LAMBDA_BINARY_MEDIA_TYPES));
  if (!Array.isArray(types)) {
    throw new RangeError(`${name} must be an array of media types, got ${JSON.stringify(types)}.`);
  }
  for (const type of types) {
    const problem = typeof type === "string" ? binaryMediaTypeProblem(type) : "must be a string";
    if (problem !== undefined) throw new RangeError(`${name}: ${JSON.stringify(type)} ${problem}.`);
  }
  return Object.freeze([...types]);
}

/** How many invocations the server runs at once; a clear error names the option or the variable. */
function resolveConcurrency(
  options: LocalServerOptions,
  env: Readonly<Record<string, string | undefined>>,
): number {
  const fromEnv = options.concurrency === undefined && env.LOCAL_LAMBDA_CONCURRENCY !== undefined;
  const concurrency =
    options.concurrency ?? integerFromEnv("LOCAL_LAMBDA_CONCURRENCY", env.LOCAL_LAMBDA_CONCURRENCY, 1);
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new RangeError(
      `${fromEnv ? "LOCAL_LAMBDA_CONCURRENCY" : "concurrency"} must be a whole number of at least 1 ` +
        `(invocations served at once; 1 is one Lambda execution environment), got ${concurrency}.`,
    );
  }
  return concurrency;
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
