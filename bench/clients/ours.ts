// "ours": our runtime and the bench handlers, bundled and started exactly as a deployed function is.
import path from "node:path";
import { BundleFile, buildBundle } from "../../components/bundle";
import { BUFFERED_EXPORT, STREAMED_EXPORT } from "../handlers/work";
import { SHELL } from "./managedBootstrap";
import type { HandlerKind, Launch, PreparedClient } from "./types";

/** The bench handlers for our runtime. */
const HANDLERS_MODULE = path.join(__dirname, "..", "handlers", "ours.ts");

/** The managed runtime client's entry on Lambda: passed along, and ignored by our bootstrap. */
const MANAGED_RUNTIME_ENTRY = "/var/runtime/index.mjs";

/**
 * Builds one deployment bundle per handler kind with the component's own `buildBundle` (its defaults:
 * minified, with a source map). Each starts the way Lambda starts the deployed function: the managed
 * runtime's start-up hands over to our `bootstrap` through `AWS_LAMBDA_EXEC_WRAPPER`, which runs node.
 */
export async function prepareOurs(buildDir: string, managedBootstrap: string): Promise<PreparedClient> {
  const launches = new Map<HandlerKind, Launch>();
  for (const [kind, handlerExport] of [
    ["streamed", STREAMED_EXPORT],
    ["buffered", BUFFERED_EXPORT],
  ] as const) {
    const outDir = path.join(buildDir, "ours", kind);
    await buildBundle({ handler: HANDLERS_MODULE, handlerExport, outDir });
    launches.set(kind, {
      command: SHELL,
      args: [managedBootstrap, MANAGED_RUNTIME_ENTRY],
      env: { AWS_LAMBDA_EXEC_WRAPPER: path.join(outDir, BundleFile.bootstrap) },
      taskRoot: outDir,
      handler: `index.${handlerExport}`,
    });
  }
  return {
    name: "ours",
    description:
      "our runtime, bundled by components/bundle.ts, started by its bootstrap (AWS_LAMBDA_EXEC_WRAPPER of the " +
      "managed start-up), as deployed",
    launch: (kind) => launches.get(kind) as Launch,
  };
}
