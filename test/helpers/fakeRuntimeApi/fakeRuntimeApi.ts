// The programmable fake Lambda Runtime API: queues events, records every exchange, injects faults.
import {
  ACCEPTED,
  encodeAnswer,
  encodeNextAnswer,
  INIT_ERROR_PATH,
  INVOCATION_PATH,
  type QueuedEvent,
} from "./answers";
import { FakeConnection, type ConnectionHost } from "./connection";
import { Exchange, Invocation } from "./exchange";
import { FaultPlan, type Fault, type RequestMatcher } from "./faults";
import { startRawServer, type RawServer } from "./rawServer";
import type { HttpParseError, RequestHead } from "./requestParser";
import { Changes } from "./waiting";

/** How the fake records and answers. */
export interface FakeRuntimeApiOptions {
  /** Keep at most this many bytes of each request's body; lengths and times are always recorded. @default Infinity */
  keepBodyBytes?: number;
  /** Keep the bytes of every request as they came off the wire (`Exchange.raw`). @default false */
  recordRaw?: boolean;
  /** How far ahead of now the deadline of each `/next` answer lies. @default 60000 */
  deadlineInMs?: number;
  /** How long `until` and `waitForReplies` wait unless told. @default 15000 */
  timeoutMs?: number;
}

/** Invocations served back to back by {@link FakeRuntimeApi.serve}, and how to settle them. */
interface Batch {
  readonly invocations: readonly Invocation[];
  pending: number;
  resolve(invocations: Invocation[]): void;
  reject(error: Error): void;
}

/**
 * A Lambda Runtime API on 127.0.0.1 for tests and the bench, over raw sockets that read into one shared
 * buffer (so it stays well under a core at loopback speed). It hands queued events to `GET /next` polls,
 * answers replies with 202, records every request as an {@link Exchange}, and injects faults at an exact
 * moment of an exact request.
 */
export class FakeRuntimeApi {
  /** Every request, in the order its head arrived. */
  readonly exchanges: Exchange[] = [];
  /** Every invocation queued, in order. */
  readonly invocations: Invocation[] = [];
  /** Requests that were not HTTP, refused with 400 or 431. */
  readonly refusals: HttpParseError[] = [];
  /** When the first `GET /next` arrived (`performance.now()`): the end of a cold start. */
  readonly firstNextAt: Promise<number>;
  /** Rejects when the client posts `/init/error`. */
  readonly initFailed: Promise<never>;
  readonly #options: Required<FakeRuntimeApiOptions>;
  readonly #host: ConnectionHost;
  #server: RawServer | undefined;
  readonly #open = new Set<FakeConnection>();
  /** Invocations not yet handed out: `#queue[#queueHead]` is next. */
  #queue: Invocation[] = [];
  #queueHead = 0;
  readonly #polls: FakeConnection[] = [];
  readonly #byId = new Map<string, Invocation>();
  readonly #batches = new Map<Invocation, Batch>();
  readonly #invocationOf = new WeakMap<Exchange, Invocation>();
  #batchNumber = 0;
  readonly #plan = new FaultPlan();
  readonly #changes = new Changes();
  #resolveFirstNext: (at: number) => void = () => undefined;
  #rejectInit: (error: Error) => void = () => undefined;

  constructor(options: FakeRuntimeApiOptions = {}) {
    this.#options = {
      keepBodyBytes: options.keepBodyBytes ?? Infinity,
      recordRaw: options.recordRaw ?? false,
      deadlineInMs: options.deadlineInMs ?? 60_000,
      timeoutMs: options.timeoutMs ?? 15_000,
    };
    this.firstNextAt = new Promise((resolve) => (this.#resolveFirstNext = resolve));
    this.initFailed = new Promise((_, reject) => (this.#rejectInit = reject));
    this.initFailed.catch((error: Error) => {
      for (const batch of new Set(this.#batches.values())) batch.reject(error);
    });
    this.#host = this.#connectionHost();
  }

  /** Starts listening on an ephemeral port of 127.0.0.1. */
  async start(): Promise<this> {
    this.#server = await startRawServer((socket, id) => {
      const connection = new FakeConnection(socket, id, this.#host);
      this.#open.add(connection);
      this.#changes.notify();
      return (buffer, length, at) => connection.read(buffer, length, at);
    });
    return this;
  }

  /** `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`. */
  get address(): string {
    if (!this.#server) throw new Error("the fake Runtime API is not started: await start() first");
    return `127.0.0.1:${this.#server.port}`;
  }

  /** How many connections the client has opened. */
  get connections(): number {
    return this.#server?.connections ?? 0;
  }

  /** Requests other than `/next` (`/response`, `/error`, `/init/error`), in arrival order. */
  get replies(): Exchange[] {
    return this.exchanges.filter((e) => !e.isNext);
  }

  /** The replies (`/response`, `/error`) the client sent for one invocation. */
  repliesTo(requestId: string): Exchange[] {
    return this.#byId.get(requestId)?.replies.slice() ?? [];
  }

  /** Whether a `/next` poll is waiting for an event. */
  get pollWaiting(): boolean {
    return this.#polls.some((poll) => poll.open);
  }

  /** Queues an event; a waiting `/next` poll gets it at once. */
  enqueue(event: QueuedEvent): Invocation {
    const invocation = new Invocation(event);
    this.invocations.push(invocation);
    this.#byId.set(event.requestId, invocation);
    this.#queue.push(invocation);
    this.#dispatch();
    return invocation;
  }

  /**
   * Serves `count` invocations of `event` back to back (request ids `batch-<n>-<i>`) and resolves with them
   * once every reply has arrived. Rejects when one carries an error (an `/error` post, error trailers, a
   * malformed prelude), is cut, or the client posts `/init/error`.
   */
  serve(count: number, event: string | Buffer): Promise<Invocation[]> {
    const number = ++this.#batchNumber;
    return new Promise((resolve, reject) => {
      const invocations: Invocation[] = [];
      const batch: Batch = {
        invocations,
        pending: count,
        resolve: (done) => {
          for (const invocation of done) this.#batches.delete(invocation);
          resolve(done);
        },
        reject: (error) => {
          for (const invocation of invocations) this.#batches.delete(invocation);
          reject(error);
        },
      };
      if (count === 0) return resolve([]);
      for (let i = 0; i < count; i++) {
        const invocation = new Invocation({ requestId: `batch-${number}-${i}`, event });
        invocations.push(invocation);
        this.invocations.push(invocation);
        this.#byId.set(invocation.requestId, invocation);
        this.#batches.set(invocation, batch);
        this.#queue.push(invocation);
      }
      this.#dispatch();
    });
  }

  /**
   * Applies `fault` to the next `times` requests `matches` accepts, instead of the normal answer.
   * @see isNext, isReplyTo, isInitError for matchers.
   */
  inject(matches: RequestMatcher, fault: Fault, times = 1): void {
    this.#plan.add(matches, fault, times);
  }

  /** Closes the connections of `/next` polls waiting for an event; returns how many there were. */
  dropWaitingPolls(): number {
    const polls = this.#polls.splice(0).filter((poll) => poll.open);
    for (const poll of polls) poll.socket.destroy();
    return polls.length;
  }

  /** Ends every stall that has no duration of its own: the stalled connections read again. */
  resumeReading(): void {
    for (const connection of this.#open) connection.resumeReading();
  }

  /** Resolves once `condition` holds, checked on every change; rejects after `timeoutMs`, naming `what`. */
  until(condition: () => boolean, what: string, timeoutMs = this.#options.timeoutMs): Promise<void> {
    return this.#changes.until(condition, what, timeoutMs);
  }

  /** Resolves once `count` requests other than `/next` have ended (complete or cut). */
  waitForReplies(count: number, timeoutMs?: number): Promise<void> {
    return this.until(
      () => this.replies.filter((e) => e.state !== "open").length >= count,
      `${count} replies`,
      timeoutMs,
    );
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    await this.#server?.close();
  }

  #connectionHost(): ConnectionHost {
    return {
      keepBodyBytes: this.#options.keepBodyBytes,
      recordRaw: this.#options.recordRaw,
      faultFor: (head: RequestHead) => this.#plan.take(head),
      started: (exchange) => this.#started(exchange),
      answer: (connection, exchange) => this.#answer(connection, exchange),
      ended: (exchange) => this.#ended(exchange),
      closed: (connection) => {
        this.#open.delete(connection);
        const poll = this.#polls.indexOf(connection);
        if (poll !== -1) this.#polls.splice(poll, 1);
      },
      refused: (error) => this.refusals.push(error),
      changed: () => this.#changes.notify(),
    };
  }

  #started(exchange: Exchange): void {
    this.exchanges.push(exchange);
    if (exchange.isNext) {
      this.#resolveFirstNext(exchange.headAt);
      return;
    }
    if (!exchange.path.startsWith(INVOCATION_PATH)) return;
    const slash = exchange.path.lastIndexOf("/");
    const encoded = exchange.path.slice(INVOCATION_PATH.length, slash);
    const invocation = this.#byId.get(safeDecode(encoded));
    if (!invocation) return;
    invocation.replies.push(exchange);
    this.#invocationOf.set(exchange, invocation);
  }

  /** Answers a request that arrived in full, as Lambda would. */
  #answer(connection: FakeConnection, exchange: Exchange): void {
    if (exchange.isNext) {
      this.#polls.push(connection);
      this.#dispatch();
      return;
    }
    const known = exchange.path.startsWith(INVOCATION_PATH) || exchange.path === INIT_ERROR_PATH;
    exchange.answer = known ? 202 : 404;
    connection.write([
      known
        ? ACCEPTED
        : encodeAnswer(
            404,
            JSON.stringify({ errorMessage: `unknown path ${exchange.method} ${exchange.path}` }),
          ),
    ]);
  }

  /** A reply ended (complete or cut): settles its batch, or the init failure. */
  #ended(exchange: Exchange): void {
    if (exchange.path === INIT_ERROR_PATH) {
      const error = exchange.error;
      this.#rejectInit(
        new Error(`the client posted /init/error ${error?.errorType}: ${error?.errorMessage ?? ""}`),
      );
      return;
    }
    const invocation = this.#invocationOf.get(exchange);
    const batch = invocation && this.#batches.get(invocation);
    if (!invocation || !batch) return;
    const error = exchange.error;
    if (exchange.state === "cut") {
      batch.reject(new Error(`invocation ${invocation.requestId}: its reply was cut`));
    } else if (error) {
      batch.reject(
        new Error(`invocation ${invocation.requestId} failed: ${error.errorType} ${error.errorMessage}`),
      );
    } else if (--batch.pending === 0) {
      batch.resolve([...batch.invocations]);
    }
  }

  /** Hands queued invocations to waiting polls. */
  #dispatch(): void {
    while (this.#queueHead < this.#queue.length && this.#polls.length > 0) {
      const poll = this.#polls.shift() as FakeConnection;
      if (!poll.open) continue;
      const invocation = this.#queue[this.#queueHead++] as Invocation;
      const parts = encodeNextAnswer(invocation.event, this.#options.deadlineInMs);
      (poll.exchange as Exchange).answer = 200;
      // Stamped before the write: a client woken by it may preempt this process before the write returns.
      invocation.nextAnsweredAt = performance.now();
      const trickleMs = invocation.event.trickleMs;
      if (trickleMs === undefined) poll.write(parts);
      else void trickle(poll, Buffer.concat(parts), trickleMs);
    }
    if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
  }
}

async function trickle(connection: FakeConnection, bytes: Buffer, ms: number): Promise<void> {
  for (let i = 0; i < bytes.length && connection.open; i++) {
    connection.write([bytes.subarray(i, i + 1)]);
    await new Promise((resolve) => setTimeout(resolve, ms));
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
