// The web-scenario clients: the same Hono app on AWS's client (streamHandle) and on ours (fetchHandler), and ours two more ways.
import path from "node:path";
import { BundleFile, buildBundle } from "../../components/bundle";
import type { NodeInstall } from "../node24";
import { ensureAwsLambdaRic } from "../peers";
import { bundleModule } from "./esbuildBundle";
import { SHELL } from "./managedBootstrap";
import type { HandlerKind, Launch, PreparedClient, WebClientName } from "./types";

const OURS_MODULE = path.join(__dirname, "..", "handlers", "oursWeb.ts");
const AWS_MODULE = path.join(__dirname, "..", "handlers", "awsRicWeb.ts");
/** The managed runtime client's entry on Lambda: passed along, and ignored by our bootstrap. */
const MANAGED_RUNTIME_ENTRY = "/var/runtime/index.mjs";

/** Which export of bench/handlers/oursWeb.ts each of our web clients runs, and how reports describe it. */
const OURS_WEB = {
  "ours-hono": {
    handlerExport: "honoFetch",
    description: "our runtime, as deployed, serving the bench's Hono app through `fetchHandler(app)`",
  },
  "ours-fetch": {
    handlerExport: "plainFetch",
    description:
      "our runtime, as deployed, serving the same work as a bare fetch function (`new Response(ReadableStream)`, " +
      "no framework) through `fetchHandler`",
  },
  "ours-writer": {
    handlerExport: "writer",
    description:
      "our runtime, as deployed, doing the same work through the writer API (parseRestApiEvent, " +
      "writeStatusAndHeaders, write)",
  },
} as const;

/** Web clients serve only the streamed web work: a REST API event for `GET /bytes?chunks&size`. */
function streamedOnly(name: string, launch: Launch): (kind: HandlerKind) => Launch {
  return (kind) => {
    if (kind !== "streamed") throw new Error(`${name} serves only the streamed web scenarios, not "${kind}"`);
    return launch;
  };
}

/**
 * Builds one of our web clients with the component's own `buildBundle`, started as Lambda starts a deployed
 * function (the managed start-up, then our bootstrap through `AWS_LAMBDA_EXEC_WRAPPER`).
 */
export async function prepareOursWeb(
  name: Exclude<WebClientName, "aws-hono">,
  buildDir: string,
  managedBootstrap: string,
): Promise<PreparedClient> {
  const { handlerExport, description } = OURS_WEB[name];
  const outDir = path.join(buildDir, name);
  await buildBundle({ handler: OURS_MODULE, handlerExport, outDir });
  const launch: Launch = {
    command: SHELL,
    args: [managedBootstrap, MANAGED_RUNTIME_ENTRY],
    env: { AWS_LAMBDA_EXEC_WRAPPER: path.join(outDir, BundleFile.bootstrap) },
    taskRoot: outDir,
    handler: `index.${handlerExport}`,
  };
  return { name, description, launch: streamedOnly(name, launch) };
}

/** AWS's client (installed if needed) running the bench's Hono app through `streamHandle`, started like the managed runtime. */
export async function prepareAwsHono(
  repoRoot: string,
  buildDir: string,
  managedBootstrap: string,
  node: NodeInstall,
  log: (line: string) => void,
): Promise<PreparedClient> {
  const ric = ensureAwsLambdaRic(repoRoot, node, log);
  const taskRoot = path.join(buildDir, "aws-hono");
  await bundleModule(AWS_MODULE, taskRoot);
  const launch: Launch = {
    command: SHELL,
    args: [managedBootstrap, ric.entry],
    taskRoot,
    handler: "index.honoStream",
  };
  return {
    name: "aws-hono",
    description:
      `aws-lambda-ric ${ric.version}, started like the managed runtime, serving the bench's Hono app through ` +
      "Hono's own `streamHandle(app)` (`hono/aws-lambda`)",
    launch: streamedOnly("aws-hono", launch),
  };
}
