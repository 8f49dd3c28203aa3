// A fake Lambda Runtime API over raw node:net that injects faults: drops, garbage, error answers and stalls.
//
// node:http would answer for us, buffer for us and hide how a request ended. Here every byte is ours: a fault
// fires at an exact moment of an exact request (its head, the Nth body byte, its end), and each request
// records whether its body ended cleanly, with error trailers, or was cut.
import { once } from "node:events";
import * as net from "node:net";
import { RequestParser, type RequestHead } from "./requestParser";

const PREFIX = "/2018-06-01/runtime";

/** When a fault fires: on a request's head, after some of its body, or once it has fully arrived. */
export type Moment = "head" | "end" | { readonly afterBodyBytes: number };

/** What the fake does instead of answering normally. */
export type Fault =
  /** Closes the connection. */
  | { readonly kind: "drop"; readonly at: Moment }
  /** Answers with this status and JSON body (then, with `close`, closes the connection). */
  | {
      readonly kind: "answer";
      readonly at: Moment;
      readonly status: number;
      readonly body?: string;
      readonly close?: boolean;
    }
  /** Writes bytes that are not HTTP, then waits. */
  | { readonly kind: "garbage"; readonly at: Moment; readonly bytes: string }
  /** Stops reading the connection after `afterBodyBytes` body bytes, for `forMs`. */
  | { readonly kind: "stall"; readonly afterBodyBytes: number; readonly forMs: number };

/** One request the runtime made, and what became of it. */
export class Exchange {
  /** Body bytes received (de-chunked). */
  bodyLength = 0;
  trailers: Readonly<Record<string, string>> = {};
  /** `complete`: the message ended; `cut`: its connection closed first; `open`: still arriving. */
  state: "open" | "complete" | "cut" = "open";
  /** Whether a chunked body ended with its zero-length chunk. */
  lastChunk = false;
  /** What the fake did: the status it answered, or the fault it applied. */
  answer: number | "dropped" | "garbage" | undefined;
  /** For a stalled exchange: body bytes received when reading stopped, and ms until it resumed. */
  stall: { atBytes: number; resumedAfterMs: number | undefined } | undefined;
  private readonly parts: Buffer[] = [];

  constructor(
    readonly connection: number,
    readonly method: string,
    readonly path: string,
    readonly headers: Readonly<Record<string, string>>,
  ) {}

  /** The body received so far (empty when the fake does not keep bodies). */
  get body(): Buffer {
    return Buffer.concat(this.parts);
  }

  addBody(bytes: Buffer, keep: boolean): void {
    this.bodyLength += bytes.length;
    if (keep) this.parts.push(Buffer.from(bytes));
  }
}

/** An event to hand out on `/next`. Header values override the defaults; `undefined` leaves one out. */
export interface QueuedEvent {
  requestId: string;
  event?: string | Buffer;
  headers?: Record<string, string | undefined>;
  /** Send the body chunked instead of with a Content-Length. */
  chunked?: boolean;
  /** Send the whole answer one byte at a time, this many ms apart. */
  trickleMs?: number;
}

interface Injection {
  matches: (head: RequestHead) => boolean;
  fault: Fault;
  remaining: number;
}

interface ConnectionState {
  readonly id: number;
  readonly socket: net.Socket;
  exchange: Exchange | undefined;
  fault: Fault | undefined;
  /** The exchange was answered early (a fault): no default answer at its end. */
  answered: boolean;
}

/** Matches `GET /invocation/next`. */
export const isNext = (head: RequestHead): boolean => head.path === `${PREFIX}/invocation/next`;

/** Matches a reply (`/response` or `/error`) for the invocation with this request id. */
export const isReplyTo =
  (requestId: string, kind?: "response" | "error") =>
  (head: RequestHead): boolean =>
    head.path.startsWith(`${PREFIX}/invocation/${encodeURIComponent(requestId)}/${kind ?? ""}`);

export class FaultyRuntimeApi {
  readonly exchanges: Exchange[] = [];
  /** Keep request bodies (turn off for very large streams; lengths are always counted). */
  keepBodies = true;
  private server!: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly queue: QueuedEvent[] = [];
  private readonly polls: ConnectionState[] = [];
  private readonly injections: Injection[] = [];
  private readonly listeners = new Set<() => void>();
  private connectionCount = 0;

  get address(): string {
    return `127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** How many connections the runtime has opened. */
  get connections(): number {
    return this.connectionCount;
  }

  /** Requests other than `/next`, in arrival order. */
  get replies(): Exchange[] {
    return this.exchanges.filter((e) => e.path !== `${PREFIX}/invocation/next`);
  }

  async start(): Promise<this> {
    this.server = net.createServer((socket) => this.onConnection(socket));
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    return this;
  }

  /** Applies `fault` to the next `times` requests `matches` accepts, instead of the normal answer. */
  inject(matches: (head: RequestHead) => boolean, fault: Fault, times = 1): void {
    this.injections.push({ matches, fault, remaining: times });
  }

  /** Queues an event; a waiting `/next` gets it at once. */
  enqueue(event: QueuedEvent): void {
    this.queue.push(event);
    this.dispatch();
  }

  /** Closes the connections of `/next` polls waiting for an event; returns how many there were. */
  dropWaitingPolls(): number {
    const polls = this.polls.splice(0);
    for (const poll of polls) poll.socket.destroy();
    return polls.length;
  }

  /** Whether a `/next` poll is waiting. */
  get pollWaiting(): boolean {
    return this.polls.some((poll) => !poll.socket.destroyed);
  }

  /** The replies (`/response`, `/error`) the runtime sent for one invocation. */
  repliesTo(requestId: string): Exchange[] {
    const matches = isReplyTo(requestId);
    return this.replies.filter((e) => matches(e));
  }

  /** Resolves once `condition` holds, checked on every change; rejects after `timeoutMs`, naming `what`. */
  until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!condition()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }

  /** Resolves once `count` replies have ended (complete or cut). */
  waitForReplies(count: number, timeoutMs?: number): Promise<void> {
    return this.until(
      () => this.replies.filter((e) => e.state !== "open").length >= count,
      `${count} replies`,
      timeoutMs,
    );
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
    await once(this.server, "close");
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private onConnection(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const connection: ConnectionState = {
      id: ++this.connectionCount,
      socket,
      exchange: undefined,
      fault: undefined,
      answered: false,
    };
    const parser = new RequestParser({
      onHead: (head) => this.onHead(connection, head),
      onBody: (bytes) => this.onBody(connection, bytes),
      onEnd: (trailers, lastChunk) => this.onEnd(connection, trailers, lastChunk),
    });
    socket.on("data", (data: Buffer) => {
      try {
        parser.push(data);
      } catch (error) {
        // The runtime sent something that is not HTTP: a test failure worth seeing, not a crash.
        socket.destroy(error as Error);
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      this.sockets.delete(socket);
      const exchange = connection.exchange;
      if (exchange?.state === "open") exchange.state = "cut";
      const poll = this.polls.indexOf(connection);
      if (poll !== -1) this.polls.splice(poll, 1);
      this.changed();
    });
    this.changed();
  }

  private onHead(connection: ConnectionState, head: RequestHead): void {
    const exchange = new Exchange(connection.id, head.method, head.path, head.headers);
    this.exchanges.push(exchange);
    connection.exchange = exchange;
    connection.answered = false;
    const injection = this.injections.find((i) => i.remaining > 0 && i.matches(head));
    if (injection) injection.remaining--;
    connection.fault = injection?.fault;
    if (connection.fault && "at" in connection.fault && connection.fault.at === "head") {
      this.applyFault(connection, connection.fault);
    }
    this.changed();
  }

  private onBody(connection: ConnectionState, bytes: Buffer): void {
    const exchange = connection.exchange as Exchange;
    exchange.addBody(bytes, this.keepBodies);
    const fault = connection.fault;
    if (fault?.kind === "stall" && exchange.bodyLength >= fault.afterBodyBytes && !exchange.stall) {
      const started = performance.now();
      const stall: NonNullable<Exchange["stall"]> = {
        atBytes: exchange.bodyLength,
        resumedAfterMs: undefined,
      };
      exchange.stall = stall;
      connection.socket.pause();
      setTimeout(() => {
        stall.resumedAfterMs = performance.now() - started;
        connection.socket.resume();
      }, fault.forMs);
    } else if (
      fault &&
      "at" in fault &&
      typeof fault.at === "object" &&
      exchange.bodyLength >= fault.at.afterBodyBytes &&
      !connection.answered
    ) {
      this.applyFault(connection, fault);
    }
    this.changed();
  }

  private onEnd(
    connection: ConnectionState,
    trailers: Readonly<Record<string, string>>,
    lastChunk: boolean,
  ): void {
    const exchange = connection.exchange as Exchange;
    exchange.trailers = trailers;
    exchange.lastChunk = lastChunk;
    exchange.state = "complete";
    const fault = connection.fault;
    if (fault && "at" in fault && fault.at === "end") this.applyFault(connection, fault);
    if (!connection.answered) this.answerNormally(connection, exchange);
    this.changed();
  }

  private applyFault(connection: ConnectionState, fault: Exclude<Fault, { kind: "stall" }>): void {
    const exchange = connection.exchange as Exchange;
    connection.answered = true;
    switch (fault.kind) {
      case "drop":
        exchange.answer = "dropped";
        connection.socket.destroy();
        return;
      case "garbage":
        exchange.answer = "garbage";
        connection.socket.write(fault.bytes, "latin1");
        return;
      case "answer":
        exchange.answer = fault.status;
        connection.socket.write(
          httpAnswer(fault.status, fault.body ?? "", fault.close ? { Connection: "close" } : {}),
        );
        if (fault.close) connection.socket.end();
    }
  }

  private answerNormally(connection: ConnectionState, exchange: Exchange): void {
    if (exchange.path === `${PREFIX}/invocation/next`) {
      this.polls.push(connection);
      this.dispatch();
      return;
    }
    exchange.answer = 202;
    connection.socket.write(httpAnswer(202, '{"status":"OK"}'));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && this.polls.length > 0) {
      const poll = this.polls.shift() as ConnectionState;
      if (poll.socket.destroyed) continue;
      const event = this.queue.shift() as QueuedEvent;
      (poll.exchange as Exchange).answer = 200;
      const bytes = nextAnswer(event);
      if (event.trickleMs === undefined) poll.socket.write(bytes);
      else void trickle(poll.socket, bytes, event.trickleMs);
    }
  }
}

function httpAnswer(status: number, body: string, headers: Record<string, string> = {}): Buffer {
  const payload = Buffer.from(body, "utf8");
  let head = `HTTP/1.1 ${status} ${status < 300 ? "OK" : "Error"}\r\nContent-Type: application/json\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  head += `Content-Length: ${payload.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), payload]);
}

/** The answer to `/next` for a queued event, with Lambda's headers unless overridden. */
function nextAnswer(event: QueuedEvent): Buffer {
  const body = Buffer.from(event.event ?? "{}");
  const headers: Record<string, string | undefined> = {
    "Content-Type": "application/json",
    "Lambda-Runtime-Aws-Request-Id": event.requestId,
    "Lambda-Runtime-Deadline-Ms": String(Date.now() + 60_000),
    "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:faults",
    "Lambda-Runtime-Trace-Id": "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1",
    ...event.headers,
  };
  let head = "HTTP/1.1 200 OK\r\n";
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) head += `${name}: ${value}\r\n`;
  }
  if (!event.chunked) {
    return Buffer.concat([Buffer.from(`${head}Content-Length: ${body.length}\r\n\r\n`, "latin1"), body]);
  }
  const half = Math.floor(body.length / 2);
  const chunks = [body.subarray(0, half), body.subarray(half)].filter((c) => c.length > 0);
  const parts: Buffer[] = [Buffer.from(`${head}Transfer-Encoding: chunked\r\n\r\n`, "latin1")];
  for (const chunk of chunks) {
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`, "latin1"), chunk, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from("0\r\n\r\n", "latin1"));
  return Buffer.concat(parts);
}

async function trickle(socket: net.Socket, bytes: Buffer, ms: number): Promise<void> {
  for (let i = 0; i < bytes.length && !socket.destroyed; i++) {
    socket.write(bytes.subarray(i, i + 1));
    await new Promise((resolve) => setTimeout(resolve, ms));
  }
}
