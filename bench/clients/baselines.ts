// "plain" and "greedy": minimal node:http Runtime API clients that show what this machine can do.
import path from "node:path";
import { BUFFERED_EXPORT, STREAMED_EXPORT } from "../handlers/work";
import { bundleModule } from "./esbuildBundle";
import type { ClientName, PreparedClient } from "./types";

const DESCRIPTIONS = {
  plain: "minimal node:http client, waits for drain whenever write() returns false",
  greedy: "minimal node:http client, lets ~1 MiB queue before waiting for drain",
} as const;

/** Bundles the baseline `name` (bench/baselines/<name>.ts) into `buildDir/<name>/index.mjs`. */
export async function prepareBaseline(name: "plain" | "greedy", buildDir: string): Promise<PreparedClient> {
  const taskRoot = path.join(buildDir, name);
  const entry = await bundleModule(path.join(__dirname, "..", "baselines", `${name}.ts`), taskRoot);
  return {
    name: name satisfies ClientName,
    description: DESCRIPTIONS[name],
    launch: (kind) => ({
      args: [entry],
      taskRoot,
      handler: `index.${kind === "streamed" ? STREAMED_EXPORT : BUFFERED_EXPORT}`,
    }),
  };
}
