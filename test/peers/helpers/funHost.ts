// Runs a deployment zip under @vercel/fun in its own process, so the function's logs can be captured: fun's
// runtimes write to the stdout and stderr they inherit. Usage: funHost.ts <request.json> <results.json>.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { createFunction, type InvokeResult } from "@vercel/fun";

/** What to run: the zip, the Node to put on PATH, and the events to send one by one, then all at once. */
export interface FunHostRequest {
  readonly zipPath: string;
  readonly functionName: string;
  readonly nodeBinary: string;
  readonly sequential: readonly unknown[];
  readonly concurrent: readonly unknown[];
}

/** The answers, in the order of the events. */
export interface FunHostResults {
  readonly sequential: InvokeResult[];
  readonly concurrent: InvokeResult[];
}

async function main(requestPath: string, resultsPath: string): Promise<void> {
  const request = JSON.parse(readFileSync(requestPath, "utf8")) as FunHostRequest;
  const fn = await createFunction({
    FunctionName: request.functionName,
    Code: { ZipFile: readFileSync(request.zipPath) },
    Handler: "index.handler",
    Runtime: "provided",
    MemorySize: 128,
    // On Lambda, node is in /var/lang/bin; here the bootstrap finds it on PATH.
    Environment: {
      Variables: { PATH: `${path.dirname(request.nodeBinary)}${path.delimiter}${process.env.PATH}` },
    },
  });
  const invoke = (event: unknown): Promise<InvokeResult> =>
    fn.invoke({ InvocationType: "RequestResponse", Payload: JSON.stringify(event) });
  try {
    const sequential: InvokeResult[] = [];
    for (const event of request.sequential) sequential.push(await invoke(event));
    const concurrent = await Promise.all(request.concurrent.map(invoke));
    const results: FunHostResults = {
      sequential: sequential.map(plain),
      concurrent: concurrent.map(plain),
    };
    writeFileSync(resultsPath, JSON.stringify(results));
  } finally {
    await fn.destroy();
  }
}

/** An invoke result with its payload as text, fit for JSON. */
function plain(result: InvokeResult): InvokeResult {
  return { ...result, Payload: String(result.Payload) };
}

main(process.argv[2] ?? "", process.argv[3] ?? "").catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
