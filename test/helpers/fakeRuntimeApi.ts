// A fake Lambda Runtime API on 127.0.0.1 for tests: serves queued events and records every request.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";

/** One request the runtime made, with its body as received (de-chunked) and its trailers. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Bytes received in the body (also when `countOnly` dropped them). */
  bodyLength: number;
  trailers: Record<string, string | undefined>;
  /** Arrival time of each body piece, for streaming assertions. */
  chunkTimes: number[];
}

/** An event to hand out on `/next`, with the headers to send along. */
export interface QueuedInvocation {
  requestId: string;
  event: string | Buffer;
  headers?: Record<string, string>;
}

/** How the fake answers a request; the default is 200 for `/next` and 202 for the rest. */
export type Responder = (request: RecordedRequest, res: http.ServerResponse) => boolean | void;

export class FakeRuntimeApi {
  readonly requests: RecordedRequest[] = [];
  /** Raw bytes received on every connection, in order: for asserting chunk framing and trailers. */
  readonly raw: Buffer[] = [];
  private readonly queue: QueuedInvocation[] = [];
  private readonly waiting: http.ServerResponse[] = [];
  private readonly waiters: Array<{ count: number; resolve: () => void }> = [];
  private server!: http.Server;
  /** Overrides the answer to a request; return true when it answered. */
  responder: Responder | undefined;
  /** Count body bytes but do not keep them (for very large responses). */
  countOnly = false;
  connections = 0;

  get address(): string {
    const { port } = this.server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.onRequest(req, res));
    this.server.on("connection", (socket) => {
      this.connections++;
      socket.on("data", (data: Buffer) => {
        if (!this.countOnly) this.raw.push(data);
      });
    });
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    return this;
  }

  /** Queues an invocation; a waiting `/next` gets it at once. */
  enqueue(invocation: QueuedInvocation): void {
    const res = this.waiting.shift();
    if (res) this.answerNext(res, invocation);
    else this.queue.push(invocation);
  }

  /** Resolves once `count` requests other than `/next` have completed. */
  waitForReplies(count: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ count, resolve });
      this.notify();
    });
  }

  /** Whether a `/next` long-poll is waiting for an invocation. */
  get pendingNext(): boolean {
    return this.waiting.length > 0;
  }

  /** Requests other than `/next`. */
  get replies(): RecordedRequest[] {
    return this.requests.filter((r) => !r.path.endsWith("/invocation/next"));
  }

  /** All raw bytes received so far, as latin1 text. */
  rawText(): string {
    return Buffer.concat(this.raw).toString("latin1");
  }

  async close(): Promise<void> {
    for (const res of this.waiting.splice(0)) res.destroy();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, "close");
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const recorded: RecordedRequest = {
      method: req.method ?? "",
      path: req.url ?? "",
      headers: req.headers,
      body: Buffer.alloc(0),
      bodyLength: 0,
      trailers: {},
      chunkTimes: [],
    };
    const parts: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      recorded.bodyLength += chunk.length;
      if (!this.countOnly) parts.push(chunk);
      recorded.chunkTimes.push(performance.now());
    });
    try {
      await once(req, "end");
    } catch {
      // The client went away; record what arrived.
    }
    recorded.body = Buffer.concat(parts);
    recorded.trailers = { ...req.trailers };
    this.requests.push(recorded);
    if (this.responder?.(recorded, res)) {
      this.notify();
      return;
    }
    if (recorded.path.endsWith("/invocation/next")) {
      const next = this.queue.shift();
      if (next) this.answerNext(res, next);
      else this.waiting.push(res);
      return;
    }
    res.writeHead(202, { "Content-Type": "application/json" }).end('{"status":"OK"}');
    this.notify();
  }

  private answerNext(res: http.ServerResponse, invocation: QueuedInvocation): void {
    const body = Buffer.from(invocation.event);
    res.writeHead(200, {
      "Content-Type": "application/json",
      "Content-Length": body.length,
      "Lambda-Runtime-Aws-Request-Id": invocation.requestId,
      "Lambda-Runtime-Deadline-Ms": String(Date.now() + 60_000),
      "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:test",
      "Lambda-Runtime-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
      ...invocation.headers,
    });
    res.end(body);
  }

  private notify(): void {
    const done = this.replies.length;
    for (const waiter of [...this.waiters]) {
      if (done >= waiter.count) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}
