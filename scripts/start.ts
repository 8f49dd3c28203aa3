// `npm start`: serves a handler on the local server, run by the same bundle a deployment ships.
// `npm run emulator`: only the local server, for any Runtime API client to poll.
//
// This process holds the local server; the runtime runs in a child process, started as Lambda starts it:
// the deployed bundle, pointed at the server by AWS_LAMBDA_RUNTIME_API. Like Lambda, a runtime that crashes
// is replaced; one whose handler fails to load ends `npm start`. Signals end the whole tree.
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { stop as stopEsbuild } from "esbuild";
import { buildBundle, BundleError } from "../components/bundle";
import { startLocalServer, type LocalServer } from "../local/server";
import { printTelemetryLog } from "../local/telemetryLog";

const REPO_ROOT = path.resolve(__dirname, "..");

const USAGE = `Usage:
  npm start [-- --handler FILE] [--export NAME] [--route PATH]
                                                   run a handler on the local server (default: the example)
  npm run emulator                                 serve the Runtime API and the HTTP route only

  --handler FILE   the module exporting the handler, relative to where you run npm (default: handler/index.ts)
  --export NAME    the export holding the handler (default: handler)
  --route PATH     the resource path routed to the function, as the component's \`path\`; "*" routes every path
                   (default: LOCAL_LAMBDA_ROUTE, else /stream for the example and "*" with --handler, since
                   your own app, e.g. a Hono app, routes its paths itself)
  --help           this text

Environment: LOCAL_LAMBDA_HOST (default 127.0.0.1), LOCAL_LAMBDA_PORT (default 7000),
LOCAL_LAMBDA_TIMEOUT_MS (default 60000), LOCAL_LAMBDA_ROUTE (as --route),
LOCAL_LAMBDA_METHOD (default ANY), LOCAL_LAMBDA_CONCURRENCY (default 1; N serves N requests at once and
runs the runtime with AWS_LAMBDA_MAX_CONCURRENCY=N, as Lambda Managed Instances does),
LOCAL_LAMBDA_AUTH (NONE, or AWS_IAM to require SigV4 signatures by
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY[/AWS_SESSION_TOKEN]), LOCAL_LAMBDA_CORS_ORIGINS (origin1,origin2: CORS
as deployed, preflights included).`;

/** How the bundler's option names read on this command line. */
const FLAG_OF_OPTION = { handler: "--handler", handlerExport: "--export" } as const;

/** Restarts allowed within {@link CRASH_WINDOW_MS} before giving up on a runtime that keeps crashing. */
const MAX_RESTARTS = 5;
const CRASH_WINDOW_MS = 30_000;
/** Time a stopping runtime gets before it is killed. */
const STOP_GRACE_MS = 3000;
/** After the runtime exits, how long its last log records may take to be printed (a child may hold the pipe). */
const LOG_DRAIN_MS = 500;
/** The runtime's descriptor for log frames, as Lambda hands one over in `_LAMBDA_TELEMETRY_LOG_FD`. */
const TELEMETRY_FD = 3;

/** A problem the user can fix: printed as one line, then the process exits with `exitCode`. */
class StartError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

interface Options {
  /** The handler module, as given (relative to {@link cwd}) or the example's absolute path. */
  readonly handler: string;
  readonly handlerExport: string;
  /** The emulated route's path, when chosen on the command line or implied by `--handler`. */
  readonly route: string | undefined;
  readonly emulator: boolean;
  /** Where the user ran npm (npm runs scripts from the package root and says so in INIT_CWD). */
  readonly cwd: string;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === "help") {
    console.log(USAGE);
    return;
  }
  if (options.emulator) return runEmulator(options.route);
  return runHandler(options);
}

/** Reads the command line; a mistyped option is an error that shows the usage. */
function parseOptions(argv: string[]): Options | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        handler: { type: "string" },
        export: { type: "string", default: "handler" },
        route: { type: "string" },
        emulator: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new StartError(`${(error as Error).message}\n\n${USAGE}`, 2);
  }
  if (values.help) return "help";
  return {
    handler: values.handler ?? path.join(REPO_ROOT, "handler", "index.ts"),
    handlerExport: values.export,
    route: values.route ?? routeForHandler(values.handler),
    emulator: values.emulator,
    cwd: process.env.INIT_CWD ?? process.cwd(),
  };
}

async function runHandler(options: Options): Promise<void> {
  let initFailed = false;
  let runtime: RuntimeProcess | undefined;
  const server = await listen({ onInitError: () => (initFailed = true), route: options.route });
  const stopping = onShutdown(server, () => runtime?.child);
  const bundle = await bundleHandler(options).catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
  if (stopping.requested) return;

  console.error(
    `Running ${path.relative(options.cwd, path.resolve(options.cwd, options.handler))} ` +
      `(export "${options.handlerExport}") on ${server.url}, ` +
      `route ${server.route}\n  try: curl -N ${server.url}${examplePath(server.route)}`,
  );
  runtime = startRuntime(bundle.entryPath, server);
  const restarts: number[] = [];
  for (;;) {
    const code = await runtime.exited;
    if (stopping.requested) return;
    if (initFailed) {
      await server.close();
      throw new StartError(
        "the handler failed to load (its error is above); fix it and run npm start again.",
      );
    }
    const now = Date.now();
    restarts.push(now);
    while ((restarts[0] ?? now) < now - CRASH_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS) {
      await server.close();
      throw new StartError(
        `the runtime exited ${restarts.length} times in ${CRASH_WINDOW_MS / 1000} s (last exit code ${code}); giving up.`,
      );
    }
    console.error(
      `[start] the runtime exited with code ${code}; starting a new one, as Lambda does after a crash.`,
    );
    runtime = startRuntime(bundle.entryPath, server);
  }
}

async function runEmulator(route: string | undefined): Promise<void> {
  const server = await listen({ route });
  onShutdown(server, () => undefined);
  console.error(
    `Runtime API emulator on ${server.url}, route ${server.route}\n` +
      `  point a Runtime API client at it with the variables Lambda sets, for example:\n` +
      `    AWS_LAMBDA_RUNTIME_API=${server.runtimeApi} AWS_LAMBDA_FUNCTION_NAME=local ` +
      `AWS_LAMBDA_FUNCTION_VERSION='$LATEST' AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128 ` +
      `AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/local AWS_LAMBDA_LOG_STREAM_NAME=local` +
      (server.concurrency > 1 ? ` AWS_LAMBDA_MAX_CONCURRENCY=${server.concurrency}` : "") +
      // With CORS, what the component would set: STREAMING_REST_API_CORS (our runtime reads it).
      Object.entries(server.functionEnvironment)
        .map(([name, value]) => ` ${name}='${value}'`)
        .join("") +
      "\n" +
      `  then invoke: curl -N ${server.url}${examplePath(server.route)}  (or POST an event to ${server.url}/invoke)`,
  );
}

/** Starts the local server; a busy port or a bad setting is one line, not a stack trace. */
/**
 * The route to emulate when `--route` is not given: none (the local server's default, `LOCAL_LAMBDA_ROUTE` or
 * the example stack's `/stream`) for the example, every path for a handler of the user's own, whose app routes
 * its paths itself (a Hono or itty app); `LOCAL_LAMBDA_ROUTE` still wins over that guess.
 */
function routeForHandler(handler: string | undefined): string | undefined {
  if (handler === undefined || process.env.LOCAL_LAMBDA_ROUTE) return undefined;
  return "*";
}

async function listen(hooks: { onInitError?: () => void; route?: string }): Promise<LocalServer> {
  try {
    return await startLocalServer({ onInitError: hooks.onInitError, route: hooks.route });
  } catch (error) {
    throw new StartError((error as Error).message);
  }
}

/** Bundles the handler as a deployment does; problems name this command's flags. */
async function bundleHandler(options: Options): Promise<{ entryPath: string }> {
  try {
    const bundle = await buildBundle({
      handler: options.handler,
      handlerExport: options.handlerExport,
      cwd: options.cwd,
      outDir: path.join(REPO_ROOT, ".build", "local"),
      minify: false,
      optionNames: FLAG_OF_OPTION,
    });
    return { entryPath: bundle.entryPath };
  } catch (error) {
    if (error instanceof BundleError) throw new StartError(error.message);
    throw error;
  } finally {
    // esbuild's service processes are not needed any more: do not leave them to this process's lifetime.
    await stopEsbuild();
  }
}

interface RuntimeProcess {
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
}

/**
 * Starts the bundled runtime against the local server, with the environment Lambda sets. As on Lambda, its
 * log records come framed on a telemetry descriptor; they are printed here, a stack trace as one.
 */
function startRuntime(entryPath: string, server: LocalServer): RuntimeProcess {
  const child = spawn(process.execPath, ["--enable-source-maps", entryPath], {
    env: {
      AWS_LAMBDA_FUNCTION_NAME: "local",
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
      AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/local",
      AWS_LAMBDA_LOG_STREAM_NAME: "local",
      ...process.env,
      // LOCAL_LAMBDA_CONCURRENCY=N: poll N at once, as Lambda Managed Instances tells the runtime (unless the
      // environment already says how many).
      ...(server.concurrency > 1 && !process.env.AWS_LAMBDA_MAX_CONCURRENCY
        ? { AWS_LAMBDA_MAX_CONCURRENCY: String(server.concurrency) }
        : {}),
      // What the component would set for the server's settings: STREAMING_REST_API_CORS with CORS.
      ...server.functionEnvironment,
      AWS_LAMBDA_RUNTIME_API: server.runtimeApi,
      LAMBDA_TASK_ROOT: path.dirname(entryPath),
      _LAMBDA_TELEMETRY_LOG_FD: String(TELEMETRY_FD),
    },
    stdio: ["inherit", "inherit", "inherit", "pipe"],
  });
  const logs = printTelemetryLog(child.stdio[TELEMETRY_FD] as Readable, process.stdout);
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  ).then(async (code) => {
    // Its last records (the error that made it exit) come before what this process says about the exit.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([logs, new Promise((resolve) => (timer = setTimeout(resolve, LOG_DRAIN_MS)))]);
    clearTimeout(timer);
    return code;
  });
  return { child, exited };
}

/**
 * On SIGINT, SIGTERM or SIGHUP, or when the process that started this one is gone: stops the runtime and the
 * server, then exits. Returns whether a shutdown was requested.
 */
function onShutdown(
  server: LocalServer,
  currentChild: () => ChildProcess | undefined,
): { requested: boolean } {
  const state = { requested: false };
  const shutdown = (): void => {
    if (state.requested) return;
    state.requested = true;
    const child = currentChild();
    const childExited =
      child && child.exitCode === null && child.signalCode === null
        ? new Promise<void>((resolve) => {
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
            setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS).unref();
          })
        : Promise.resolve();
    void Promise.all([childExited, server.close()]).then(() => process.exit(0));
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, shutdown);
  // A parent killed without passing its signal on (SIGKILL) leaves this process to another parent.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) shutdown();
  }, 1000).unref();
  return state;
}

/** A path to curl on the route: its template's parameters filled with their names. */
function examplePath(route: string): string {
  const template = route.split(" ")[1] ?? "/";
  if (template === "*") return "/";
  return template.replace(/\{([^}+]+)\+?\}/g, "$1");
}

main().catch((error: unknown) => {
  if (error instanceof StartError) {
    console.error(`npm start: ${error.message}`);
    process.exit(error.exitCode);
  }
  console.error(error);
  process.exit(1);
});
