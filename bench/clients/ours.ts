// "ours": our runtime and the bench handlers, bundled and started as a deployed function is; "ours-bare": bundled plainly.
import path from "node:path";
import { BundleFile, buildBundle } from "../../components/bundle";
import { BUFFERED_EXPORT, STREAMED_EXPORT } from "../handlers/work";
import type { NodeInstall } from "../node24";
import { SHELL } from "./managedBootstrap";
import { bundlePlainly } from "./plainBundle";
import type { HandlerKind, Launch, PreparedClient } from "./types";

/** The bench handlers for our runtime. */
const HANDLERS_MODULE = path.join(__dirname, "..", "handlers", "ours.ts");

/** The managed runtime client's entry on Lambda: passed along, and ignored by our bootstrap. */
const MANAGED_RUNTIME_ENTRY = "/var/runtime/index.mjs";

const HANDLER_EXPORTS = [
  ["streamed", STREAMED_EXPORT],
  ["buffered", BUFFERED_EXPORT],
] as const;

/**
 * Builds one deployment bundle per handler kind with the component's own `buildBundle` (its defaults:
 * minified, with a source map). Each starts the way Lambda starts the deployed function: the managed
 * runtime's start-up hands over to our `bootstrap` through `AWS_LAMBDA_EXEC_WRAPPER`, which runs node.
 */
export async function prepareOurs(buildDir: string, managedBootstrap: string): Promise<PreparedClient> {
  const launches = new Map<HandlerKind, Launch>();
  for (const [kind, handlerExport] of HANDLER_EXPORTS) {
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
      "our runtime, bundled by components/bundle/bundle.ts, started by its bootstrap (AWS_LAMBDA_EXEC_WRAPPER " +
      "of the managed start-up), as deployed",
    launch: (kind) => launches.get(kind) as Launch,
  };
}

/**
 * Bundles, per handler kind, what a user writes who bundles our runtime with esbuild the ordinary way
 * (`import { LambdaRuntime } from "streaming-rest-api/runtime"` and a handler; see {@link bundlePlainly}),
 * started as bare `node index.mjs`: no bootstrap, no flags.
 */
export async function prepareOursBare(buildDir: string, node: NodeInstall): Promise<PreparedClient> {
  const launches = new Map<HandlerKind, Launch>();
  for (const [kind, handlerExport] of HANDLER_EXPORTS) {
    const outDir = path.join(buildDir, "ours-bare", kind);
    const bundle = await bundlePlainly(HANDLERS_MODULE, handlerExport, outDir);
    launches.set(kind, {
      command: node.binary,
      args: [bundle.entry],
      taskRoot: outDir,
      handler: `index.${handlerExport}`,
    });
  }
  return {
    name: "ours-bare",
    description:
      'our runtime in a plain esbuild bundle (`import { LambdaRuntime } from "streaming-rest-api/runtime"` and ' +
      "the handler; ESM, minified, node24), started as bare `node index.mjs`",
    launch: (kind) => launches.get(kind) as Launch,
  };
}
