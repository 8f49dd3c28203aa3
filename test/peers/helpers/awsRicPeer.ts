// Runs AWS's aws-lambda-ric (installed and built by the benchmark's installer) against a Runtime API address.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bundleModule } from "../../../bench/clients/esbuildBundle";
import { sandboxEnvironment } from "../../../bench/environment";
import { findOrFetchNode24, type NodeInstall } from "../../../bench/node24";
import { ensureAwsLambdaRic, type AwsRicInstall } from "../../../bench/peers";
import { spawnClient, type ClientProcess } from "../../../bench/processes";

const REPO_ROOT = path.resolve(__dirname, "../../..");
const HANDLERS_MODULE = path.resolve(__dirname, "../fixtures/awsRicHandlers.ts");

/** aws-lambda-ric, installed, with the fixture handlers bundled into a task root. */
export interface PreparedAwsRic {
  readonly node: NodeInstall;
  readonly ric: AwsRicInstall;
  /** `LAMBDA_TASK_ROOT`: holds the bundled `index.mjs`. */
  readonly taskRoot: string;
}

/**
 * Finds Node 24, installs aws-lambda-ric into `.peers/` if it is not there (a native build of a minute or
 * two on a fresh machine; it throws naming any missing build tool), and bundles the fixture handlers.
 * @param log Progress lines (the install is slow enough to deserve them).
 * @param handlersModule The module of handlers to bundle. @default the fixture handlers (fixtures/awsRicHandlers.ts)
 */
export async function prepareAwsRic(
  log: (line: string) => void,
  handlersModule: string = HANDLERS_MODULE,
): Promise<PreparedAwsRic> {
  const node = findOrFetchNode24(log);
  const ric = ensureAwsLambdaRic(REPO_ROOT, node, log);
  const taskRoot = mkdtempSync(path.join(tmpdir(), "peers-aws-ric-"));
  await bundleModule(handlersModule, taskRoot);
  return { node, ric, taskRoot };
}

/**
 * Starts aws-lambda-ric serving one export of the fixture handlers, in a Lambda-like environment and nothing
 * inherited. Stop it with `stop()`; `crashed` rejects if it exits on its own.
 * @param prepared From {@link prepareAwsRic}.
 * @param runtimeApi `host:port` of the Runtime API it polls (`AWS_LAMBDA_RUNTIME_API`).
 * @param exportName The handler export, e.g. `streamed` (`_HANDLER` becomes `index.<exportName>`).
 */
export function startAwsRic(prepared: PreparedAwsRic, runtimeApi: string, exportName: string): ClientProcess {
  const env = sandboxEnvironment({
    runtimeApi,
    taskRoot: prepared.taskRoot,
    handler: `index.${exportName}`,
    nodeBinary: prepared.node.binary,
  });
  return spawnClient(prepared.node.binary, [prepared.ric.entry], env);
}
