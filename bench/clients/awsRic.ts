// "aws" and "aws-bare": AWS's own Node.js runtime interface client (what the managed nodejs runtimes run).
import path from "node:path";
import { BUFFERED_EXPORT, STREAMED_EXPORT } from "../handlers/work";
import type { NodeInstall } from "../node24";
import { ensureAwsLambdaRic } from "../peers";
import { bundleModule } from "./esbuildBundle";
import { SHELL } from "./managedBootstrap";
import type { PreparedClient } from "./types";

/** The bench handlers written for aws-lambda-ric. */
const HANDLERS_MODULE = path.join(__dirname, "..", "handlers", "awsRic.ts");

/** How the client is started. */
export type AwsRicStart =
  /** As on the managed runtime: the managed start-up script runs it as `/var/runtime/index.mjs`. */
  | "managed"
  /** As bare `node <entry>`: no start-up script, no flags. */
  | "bare";

/**
 * Installs aws-lambda-ric if needed and bundles its handlers into `buildDir/<client name>/index.mjs`, then
 * starts it the `start` way.
 * @param start how the client is started: as on Lambda (`aws`) or as bare node (`aws-bare`). @default "managed"
 */
export async function prepareAwsRic(
  repoRoot: string,
  buildDir: string,
  managedBootstrap: string,
  node: NodeInstall,
  log: (line: string) => void,
  start: AwsRicStart = "managed",
): Promise<PreparedClient> {
  const ric = ensureAwsLambdaRic(repoRoot, node, log);
  const name = start === "managed" ? "aws" : "aws-bare";
  const taskRoot = path.join(buildDir, name);
  await bundleModule(HANDLERS_MODULE, taskRoot);
  const handler = (kind: "streamed" | "buffered"): string =>
    `index.${kind === "streamed" ? STREAMED_EXPORT : BUFFERED_EXPORT}`;
  if (start === "bare") {
    return {
      name,
      description: `aws-lambda-ric ${ric.version}, started as bare \`node <its index.mjs>\` (no start-up script, no flags)`,
      launch: (kind) => ({ command: node.binary, args: [ric.entry], taskRoot, handler: handler(kind) }),
    };
  }
  return {
    name,
    description:
      `aws-lambda-ric ${ric.version} (native /next client, node:http response streams), started like the ` +
      "managed runtime: V8 heap sized from the memory setting, --expose-gc",
    launch: (kind) => ({
      command: SHELL,
      args: [managedBootstrap, ric.entry],
      taskRoot,
      handler: handler(kind),
    }),
  };
}
