// A local server whose handler streams three chunks, each after the test has seen the one before (no timers).
import { LambdaRuntime, type LambdaResponseStreamWriter } from "../../runtime";
import { parseRestApiEvent, restApiEventBody, restApiEventHeader } from "../../runtime/restApiEvent";
import { startTestServer, type TestServer } from "../local/harness";
import type { LocalServerOptions } from "../../local/server";

/** The chunks the gated handler streams, in order. */
export const CHUNKS = ["chunk 1\n", "chunk 2\n", "chunk 3\n"];

/** Test credentials: the local server checks signatures against them (never real ones). */
export const TEST_CREDENTIALS = {
  accessKeyId: "AKIDLOCALTEST0000001",
  secretAccessKey: "local-test-secret-not-a-real-key",
  sessionToken: "local-test-session-token",
};

/** A running server and runtime, and the gates the handler waits on between chunks. */
export interface GatedServer {
  readonly t: TestServer;
  /** `performance.now()` just before the handler started writing each chunk. */
  readonly writeStartedAt: number[];
  /** Lets the handler write the chunk after `CHUNKS[index]`. */
  release(index: number): void;
  /** Stops the runtime and the server. */
  close(): Promise<void>;
}

/**
 * Starts a local server (options as given, the rest from the environment) and our runtime in-process, serving a
 * handler that, on `/stream`:
 * - with `?echo=1`, answers JSON with the request's method, body, query and `x-test` header;
 * - otherwise streams {@link CHUNKS}, waiting before each one after the first until the test calls `release`
 *   for the one before; with `?fail=1`, throws after the first chunk (the connection is cut mid-stream).
 */
export async function startGatedServer(options: LocalServerOptions = {}): Promise<GatedServer> {
  const t = await startTestServer(options);
  const writeStartedAt: number[] = [];
  const gates = new Map<number, { promise: Promise<void>; open: () => void }>();
  const gate = (index: number): { promise: Promise<void>; open: () => void } => {
    let entry = gates.get(index);
    if (!entry) {
      let open = (): void => undefined;
      const promise = new Promise<void>((resolve) => (open = resolve));
      entry = { promise, open };
      gates.set(index, entry);
    }
    return entry;
  };
  const handler = async (event: Buffer, writer: LambdaResponseStreamWriter): Promise<void> => {
    const request = parseRestApiEvent(event);
    const query = request.queryStringParameters ?? {};
    if (query.echo) {
      await writer.writeStatusAndHeaders({
        statusCode: 200,
        headers: { "Content-Type": "application/json" },
      });
      await writer.writeAndFinish(
        JSON.stringify({
          method: request.httpMethod,
          body: restApiEventBody(request).toString("utf8"),
          query: request.multiValueQueryStringParameters,
          header: restApiEventHeader(request, "x-test") ?? null,
        }),
      );
      return;
    }
    await writer.writeStatusAndHeaders({ statusCode: 200, headers: { "Content-Type": "text/plain" } });
    for (const [index, chunk] of CHUNKS.entries()) {
      if (index > 0) await gate(index - 1).promise;
      writeStartedAt[index] = performance.now();
      await writer.write(chunk);
      if (query.fail) throw new Error("failed after the first chunk");
    }
    await writer.finish();
  };
  const runtime = new LambdaRuntime(handler, {
    runtimeApi: t.server.runtimeApi,
    env: { ...process.env, ...t.server.functionEnvironment },
    log: { warn: () => undefined, error: () => undefined },
    onFatalError: () => undefined,
  });
  const running = runtime.run();
  return {
    t,
    writeStartedAt,
    release: (index) => gate(index).open(),
    async close() {
      for (const entry of gates.values()) entry.open();
      runtime.stop();
      await t.server.close();
      await running;
    },
  };
}
