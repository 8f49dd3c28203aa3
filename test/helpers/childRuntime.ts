// Bundles a handler with our runtime (with the deployed bundler) and runs it in a child process.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { buildBundle } from "../../components/bundle";

/** Bundles `handlerFile`'s `exportName` with the runtime exactly as deployed; returns the index.mjs path. */
export async function bundleHandler(handlerFile: string, exportName = "handler"): Promise<string> {
  const outDir = mkdtempSync(path.join(tmpdir(), "runtime-test-"));
  const bundle = await buildBundle({
    handler: handlerFile,
    handlerExport: exportName,
    outDir,
    minify: false,
  });
  return bundle.entryPath;
}

export interface ChildRun {
  child: ChildProcess;
  /**
   * What the runtime printed, stdout and stderr as they arrived: its log records (stdout, without a telemetry
   * descriptor, as on Lambda's runtime) and anything Node itself says (stderr).
   */
  output: () => string;
  exit: Promise<number | null>;
}

/** Starts a bundled runtime against `runtimeApi` with a Lambda-like environment. */
export function runChild(
  bundle: string,
  runtimeApi: string,
  extraEnv: Record<string, string> = {},
): ChildRun {
  const child = spawn(process.execPath, [bundle], {
    env: {
      PATH: process.env.PATH ?? "",
      AWS_LAMBDA_RUNTIME_API: runtimeApi,
      AWS_LAMBDA_FUNCTION_NAME: "child-fn",
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (data: Buffer) => (output += data.toString()));
  child.stderr?.on("data", (data: Buffer) => (output += data.toString()));
  // "close", not "exit": the last records written before exiting are read by then.
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, output: () => output, exit };
}
