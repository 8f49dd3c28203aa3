// `npm start`: bundles a handler with the runtime (as deployed, plus the local server) and runs it on
// port 7000. `npm run emulator`: only the local server, for any Runtime API client to poll.
import { spawn } from "node:child_process";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { buildBundle } from "../components/bundle";
import { startLocalServer } from "../local/server";

const USAGE = `Usage:
  npm start [-- --handler FILE] [--export NAME]   run a handler on the local server (default: the example)
  npm run emulator                                 serve the Runtime API and the HTTP routes only

Environment: LOCAL_LAMBDA_HOST (default 127.0.0.1), LOCAL_LAMBDA_PORT (default 7000),
LOCAL_LAMBDA_TIMEOUT_MS (default 60000).`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      handler: { type: "string", default: path.join(__dirname, "../handler/index.ts") },
      export: { type: "string", default: "handler" },
      emulator: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.emulator) return runEmulator();

  // The same bundle as deployed, with the local server kept in and readable stack traces.
  const bundle = await buildBundle({
    handler: values.handler,
    handlerExport: values.export,
    outDir: path.join(__dirname, "../.build/local"),
    minify: false,
    localServer: true,
  });
  const env = { ...process.env };
  delete env.AWS_LAMBDA_RUNTIME_API; // the runtime starts its local server when this is unset
  const child = spawn(process.execPath, ["--enable-source-maps", bundle.entryPath], {
    env,
    stdio: "inherit",
  });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  const host = env.LOCAL_LAMBDA_HOST ?? "127.0.0.1";
  const port = env.LOCAL_LAMBDA_PORT ?? "7000";
  console.error(
    `Running ${path.relative(process.cwd(), values.handler)} (export "${values.export}") on http://${host}:${port}\n` +
      `  try: curl -N http://${host}:${port}/stream`,
  );
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

async function runEmulator(): Promise<void> {
  const server = await startLocalServer();
  console.error(
    `Runtime API emulator on ${server.url}\n` +
      `  point a Runtime API client at it with the variables Lambda sets, for example:\n` +
      `    AWS_LAMBDA_RUNTIME_API=${server.runtimeApi} AWS_LAMBDA_FUNCTION_NAME=local ` +
      `AWS_LAMBDA_FUNCTION_VERSION='$LATEST' AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128 ` +
      `AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/local AWS_LAMBDA_LOG_STREAM_NAME=local\n` +
      `  then invoke: curl -N ${server.url}/stream  (or POST an event to ${server.url}/invoke)`,
  );
  const stop = (): void => void server.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
