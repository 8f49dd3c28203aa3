// Bundles a handler with our runtime (esbuild, like the deployed bundle) and runs it in a child process.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as esbuild from "esbuild";

const RUNTIME_ENTRY = path.resolve(__dirname, "../../runtime/index.ts");

/** Bundles `handlerFile`'s `exportName` with the runtime into one ESM file; returns its path. */
export async function bundleHandler(handlerFile: string, exportName = "handler"): Promise<string> {
  const outfile = path.join(mkdtempSync(path.join(tmpdir(), "runtime-test-")), "index.mjs");
  await esbuild.build({
    stdin: {
      contents:
        `import { runHandlerModule } from ${JSON.stringify(RUNTIME_ENTRY)};\n` +
        `runHandlerModule(() => import(${JSON.stringify(path.resolve(handlerFile))}), ${JSON.stringify(exportName)});\n`,
      resolveDir: path.dirname(RUNTIME_ENTRY),
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    outfile,
    define: { __INCLUDE_LOCAL_SERVER__: "false" },
    logLevel: "silent",
  });
  return outfile;
}

export interface ChildRun {
  child: ChildProcess;
  stderr: () => string;
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
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (data: Buffer) => (stderr += data.toString()));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, stderr: () => stderr, exit };
}
