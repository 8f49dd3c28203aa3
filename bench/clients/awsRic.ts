// "aws": AWS's own Node.js runtime interface client (what the managed nodejs runtimes run) with equivalent handlers.
import path from "node:path";
import { BUFFERED_EXPORT, STREAMED_EXPORT } from "../handlers/work";
import type { NodeInstall } from "../node24";
import { ensureAwsLambdaRic } from "../peers";
import { bundleModule } from "./esbuildBundle";
import { SHELL } from "./managedBootstrap";
import type { PreparedClient } from "./types";

/** The bench handlers written for aws-lambda-ric. */
const HANDLERS_MODULE = path.join(__dirname, "..", "handlers", "awsRic.ts");

/**
 * Installs aws-lambda-ric if needed and bundles its handlers into `buildDir/aws/index.mjs`. It starts as on
 * the managed runtime: the managed start-up script runs it as `/var/runtime/index.mjs`.
 */
export async function prepareAwsRic(
  repoRoot: string,
  buildDir: string,
  managedBootstrap: string,
  node: NodeInstall,
  log: (line: string) => void,
): Promise<PreparedClient> {
  const ric = ensureAwsLambdaRic(repoRoot, node, log);
  const taskRoot = path.join(buildDir, "aws");
  await bundleModule(HANDLERS_MODULE, taskRoot);
  return {
    name: "aws",
    description:
      `aws-lambda-ric ${ric.version} (native /next client, node:http response streams), started like the ` +
      "managed runtime: V8 heap sized from the memory setting, --expose-gc",
    launch: (kind) => ({
      command: SHELL,
      args: [managedBootstrap, ric.entry],
      taskRoot,
      handler: `index.${kind === "streamed" ? STREAMED_EXPORT : BUFFERED_EXPORT}`,
    }),
  };
}
