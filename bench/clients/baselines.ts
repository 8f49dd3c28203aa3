// "plain" and "greedy": minimal node:http Runtime API clients that show what this machine can do.
import path from "node:path";
import { BUFFERED_EXPORT, STREAMED_EXPORT } from "../handlers/work";
import type { NodeInstall } from "../node24";
import { bundleModule } from "./esbuildBundle";
import type { ClientName, PreparedClient } from "./types";

const DESCRIPTIONS = {
  plain: "minimal node:http client, waits for drain whenever write() returns false; bare `node index.mjs`",
  greedy: "minimal node:http client, lets ~1 MiB queue before waiting for drain; bare `node index.mjs`",
} as const;

/**
 * Bundles the baseline `name` (bench/baselines/<name>.ts) into `buildDir/<name>/index.mjs`. A baseline shows
 * what the machine can do, so it runs as bare `node index.mjs`: no start-up script, no flags.
 */
export async function prepareBaseline(
  name: "plain" | "greedy",
  buildDir: string,
  node: NodeInstall,
): Promise<PreparedClient> {
  const taskRoot = path.join(buildDir, name);
  const entry = await bundleModule(path.join(__dirname, "..", "baselines", `${name}.ts`), taskRoot);
  return {
    name: name satisfies ClientName,
    description: DESCRIPTIONS[name],
    launch: (kind) => ({
      command: node.binary,
      args: [entry],
      taskRoot,
      handler: `index.${kind === "streamed" ? STREAMED_EXPORT : BUFFERED_EXPORT}`,
    }),
  };
}
