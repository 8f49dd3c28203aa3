// "ours": our runtime and the bench handlers, bundled and started exactly as a deployed function is.
import path from "node:path";
import { BOOTSTRAP_SCRIPT, buildBundle } from "../../components/bundle";
import { BUFFERED_EXPORT, STREAMED_EXPORT } from "../handlers/work";
import type { HandlerKind, Launch, PreparedClient } from "./types";

/** The bench handlers for our runtime. */
const HANDLERS_MODULE = path.join(__dirname, "..", "handlers", "ours.ts");

/**
 * Builds one deployment bundle per handler kind with the component's own `buildBundle` (its defaults:
 * minified, with a source map), and starts each with the Node flags the deployed `bootstrap` passes.
 */
export async function prepareOurs(buildDir: string): Promise<PreparedClient> {
  const nodeFlags = bootstrapNodeFlags();
  const launches = new Map<HandlerKind, Launch>();
  for (const [kind, handlerExport] of [
    ["streamed", STREAMED_EXPORT],
    ["buffered", BUFFERED_EXPORT],
  ] as const) {
    const outDir = path.join(buildDir, "ours", kind);
    const bundle = await buildBundle({ handler: HANDLERS_MODULE, handlerExport, outDir });
    launches.set(kind, {
      args: [...nodeFlags, bundle.entryPath],
      taskRoot: outDir,
      handler: `index.${handlerExport}`,
    });
  }
  return {
    name: "ours",
    description: `our runtime, bundled by components/bundle.ts, run as \`node ${[...nodeFlags, "index.mjs"].join(" ")}\``,
    launch: (kind) => launches.get(kind) as Launch,
  };
}

/** The flags the deployed `bootstrap` script gives `node` (e.g. `--enable-source-maps`). */
export function bootstrapNodeFlags(): string[] {
  const match = /^exec node((?: --?[\w-]+(?:=\S+)?)*) "\$LAMBDA_TASK_ROOT\/index\.mjs"$/m.exec(
    BOOTSTRAP_SCRIPT,
  );
  if (!match)
    throw new Error(`cannot read the node command out of the bootstrap script:\n${BOOTSTRAP_SCRIPT}`);
  return (match[1] ?? "").split(" ").filter((flag) => flag !== "");
}
