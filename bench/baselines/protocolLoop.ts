// Physical-limit baselines: the Runtime API protocol in bare node:http, doing the bench handlers' work inline.
import type { ClientRequest, IncomingMessage } from "node:http";
import { BUFFERED_EXPORT, STREAM_PRELUDE, TINY_RESULT, chunkOf, readStreamEvent } from "../handlers/work";

// process.getBuiltinModule loads no ESM machinery at start-up, unlike a static `import`.
const http = process.getBuiltinModule("node:http");

const PREFIX = "/2018-06-01/runtime/invocation/";
const STREAMING_HEADERS = {
  "Lambda-Runtime-Function-Response-Mode": "streaming",
  "Content-Type": "application/vnd.awslambda.http-integration-response",
  "Transfer-Encoding": "chunked",
  Trailer: "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body",
};
const PRELUDE_BYTES = Buffer.concat([Buffer.from(JSON.stringify(STREAM_PRELUDE)), Buffer.alloc(8)]);

/** How a baseline treats backpressure. */
export interface BaselineOptions {
  /**
   * Bytes allowed to queue in the request before waiting for `drain`. 0 waits whenever `write` returns
   * false (Node's default 16 KiB high-water mark), as a plain client would.
   */
  readonly queueBytes: number;
}

/**
 * Serves invocations forever: `GET /next`, then the handler named by `_HANDLER` (`index.streamed` or
 * `index.bufferedTiny`) as a streamed or buffered response. One keep-alive connection for everything.
 */
export function runBaseline(options: BaselineOptions): void {
  const [host, port] = (process.env.AWS_LAMBDA_RUNTIME_API ?? "").split(":");
  const buffered = (process.env._HANDLER ?? "").endsWith(`.${BUFFERED_EXPORT}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const request = (method: string, path: string, headers?: Record<string, string>): ClientRequest =>
    http.request({ host, port: Number(port), method, path, agent, headers });

  const next = (): Promise<{ id: string; event: Buffer }> =>
    new Promise((resolve, reject) => {
      request("GET", `${PREFIX}next`)
        .on("response", (res: IncomingMessage) => {
          const parts: Buffer[] = [];
          res.on("data", (part: Buffer) => parts.push(part));
          res.on("end", () =>
            resolve({
              id: String(res.headers["lambda-runtime-aws-request-id"]),
              event: Buffer.concat(parts),
            }),
          );
        })
        .on("error", reject)
        .end();
    });

  const answered = (req: ClientRequest): Promise<void> =>
    new Promise((resolve, reject) => {
      req.on("response", (res: IncomingMessage) => res.on("end", resolve).resume());
      req.on("error", reject);
    });

  const drained = (req: ClientRequest): Promise<void> => new Promise((resolve) => req.once("drain", resolve));

  const respondBuffered = async (id: string, event: Buffer): Promise<void> => {
    JSON.parse(event.toString("utf8"));
    const body = JSON.stringify(TINY_RESULT);
    const req = request("POST", `${PREFIX}${id}/response`, {
      "Content-Type": "application/json",
      "Content-Length": String(Buffer.byteLength(body)),
    });
    const done = answered(req);
    req.end(body);
    await done;
  };

  const respondStreamed = async (id: string, event: Buffer): Promise<void> => {
    const { chunks, chunkSize } = readStreamEvent(JSON.parse(event.toString("utf8")));
    const chunk = chunkOf(chunkSize);
    const req = request("POST", `${PREFIX}${id}/response`, STREAMING_HEADERS);
    const done = answered(req);
    req.write(PRELUDE_BYTES);
    for (let i = 0; i < chunks; i++) {
      const below = req.write(chunk);
      if (options.queueBytes > 0 ? req.writableLength >= options.queueBytes : !below) await drained(req);
    }
    req.end();
    await done;
  };

  const loop = async (): Promise<never> => {
    for (;;) {
      const { id, event } = await next();
      await (buffered ? respondBuffered(id, event) : respondStreamed(id, event));
    }
  };
  loop().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
