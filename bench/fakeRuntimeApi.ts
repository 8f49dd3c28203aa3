// A fake Lambda Runtime API for benchmarks: serves queued invocations, counts streamed bytes, timestamps phases.
import {
  startHttpServer,
  type BodySink,
  type HttpConnection,
  type MinimalHttpServer,
  type RequestHead,
} from "./fakeServer/httpServer";

const PREFIX = "/2018-06-01/runtime";
const NEXT_PATH = `${PREFIX}/invocation/next`;
const INVOCATION_PREFIX = `${PREFIX}/invocation/`;
const INIT_ERROR_PATH = `${PREFIX}/init/error`;
const PRELUDE_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
const DELIMITER_LENGTH = 8;
/** A prelude longer than this is a client bug: scanning stops so a body without one is never buffered. */
const MAX_PRELUDE_BYTES = 64 * 1024;
/** Buffered responses and error bodies are kept up to this size, for checks and messages. */
const MAX_KEPT_BODY_BYTES = 64 * 1024;
/** Lambda's answer to a response or error post. */
const ACCEPTED = {
  status: "202 Accepted",
  headers: "Content-Type: application/json\r\n",
  body: Buffer.from('{"status":"OK"}'),
};
/** Far enough ahead that no client's deadline logic ever fires during a benchmark. */
const DEADLINE_MS = 15 * 60 * 1000;
/** The event headers every `/next` answer carries besides the request id and deadline. */
const EVENT_HEADERS =
  "Content-Type: application/json\r\n" +
  "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:bench\r\n" +
  "Lambda-Runtime-Trace-Id: Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0\r\n";

/** What the server saw of one invocation. Times are `performance.now()` milliseconds of this process. */
export interface InvocationRecord {
  readonly requestId: string;
  /** When the `/next` answer (headers and event) was about to be handed to the socket. */
  nextAnsweredAt: number;
  /** When the response post's headers arrived. */
  responseStartedAt: number;
  /** When the first body byte arrived: the first byte after the prelude's 8 NULs, if there is a prelude. */
  firstBodyByteAt: number;
  /** When the last byte of the response post arrived. */
  lastByteAt: number;
  /** Bytes of the response post's body, prelude included. */
  totalBytes: number;
  /** Bytes after the prelude (all of them without a prelude). */
  bodyBytes: number;
  /** Whether the response was posted in streaming mode (`Lambda-Runtime-Function-Response-Mode`). */
  streaming: boolean;
  /** The response's `Content-Type`. */
  contentType: string;
  /** The prelude's JSON text, for responses with the HTTP integration content type. */
  prelude: string | undefined;
  /** The start of a buffered response (up to 64 KiB), for checks; empty for streamed ones. */
  bufferedBody: Buffer;
  /** Error type from `/invocation/{id}/error`, from a mid-stream error trailer, or from a malformed prelude. */
  errorType: string | undefined;
  /** Error body (decoded) from the same places. */
  errorBody: string | undefined;
}

/** One batch of identical invocations served back to back. */
interface Batch {
  readonly records: InvocationRecord[];
  readonly event: Buffer;
  served: number;
  completed: number;
  resolve(records: InvocationRecord[]): void;
  reject(error: Error): void;
}

/**
 * A Runtime API on 127.0.0.1 that answers `/next` from a batch of identical invocations. It never buffers a
 * streamed body: it counts bytes and keeps only the prelude. Serves one client process.
 */
export class FakeRuntimeApi {
  private batch: Batch | undefined;
  private parkedNext: HttpConnection | undefined;
  private readonly byId = new Map<string, InvocationRecord>();
  private batchNumber = 0;
  private resolveFirstNext: (at: number) => void = () => {};
  private rejectInit: (error: Error) => void = () => {};
  private server: MinimalHttpServer | undefined;

  /** When the first `GET /next` arrived (`performance.now()`): the end of a cold start. */
  readonly firstNextAt: Promise<number>;
  /** Rejects when the client posts `/init/error`. */
  readonly initFailed: Promise<never>;

  private constructor() {
    this.firstNextAt = new Promise((resolve) => (this.resolveFirstNext = resolve));
    this.initFailed = new Promise((_, reject) => (this.rejectInit = reject));
    this.initFailed.catch((error: Error) => this.batch?.reject(error));
  }

  /** Starts a server on an ephemeral port of 127.0.0.1. */
  static async start(): Promise<FakeRuntimeApi> {
    const api = new FakeRuntimeApi();
    api.server = await startHttpServer((head, connection, at) => api.route(head, connection, at));
    return api;
  }

  /** `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`. */
  get address(): string {
    return `127.0.0.1:${this.server?.port}`;
  }

  /**
   * Serves `count` invocations of `event` back to back and resolves with their records once every response
   * has arrived. Rejects on an invocation error, an init error or an error trailer.
   */
  serve(count: number, event: Buffer): Promise<InvocationRecord[]> {
    if (this.batch) throw new Error("a batch is already being served");
    const number = ++this.batchNumber;
    return new Promise((resolve, reject) => {
      const records: InvocationRecord[] = [];
      for (let i = 0; i < count; i++) records.push(newRecord(`bench-${number}-${i}`));
      this.batch = {
        records,
        event,
        served: 0,
        completed: 0,
        resolve: (done) => {
          this.batch = undefined;
          resolve(done);
        },
        reject: (error) => {
          this.batch = undefined;
          reject(error);
        },
      };
      const parked = this.parkedNext;
      if (parked) {
        this.parkedNext = undefined;
        this.answerNext(parked);
      }
    });
  }

  /** Closes the server and every connection still open. */
  close(): void {
    this.server?.close();
  }

  private route(head: RequestHead, connection: HttpConnection, at: number): BodySink {
    const { method, path } = head;
    if (method === "GET" && path === NEXT_PATH) {
      this.onNext(connection, at);
      return IGNORED_BODY;
    }
    if (method === "POST" && path.startsWith(INVOCATION_PREFIX)) {
      const slash = path.lastIndexOf("/");
      const action = path.slice(slash + 1);
      const record = this.byId.get(decodeURIComponent(path.slice(INVOCATION_PREFIX.length, slash)));
      if (record && action === "response") return this.onResponse(head, connection, record, at);
      if (record && action === "error") return this.onInvocationError(head, connection, record, at);
    }
    if (method === "POST" && path === INIT_ERROR_PATH) return this.onInitError(head, connection);
    return keepSmallBody(() => {
      const message = JSON.stringify({ errorMessage: `unknown path ${method} ${path}` });
      connection.respond("404 Not Found", "Content-Type: application/json\r\n", Buffer.from(message));
    });
  }

  private onNext(connection: HttpConnection, at: number): void {
    this.resolveFirstNext(at);
    const batch = this.batch;
    if (batch && batch.served < batch.records.length) this.answerNext(connection);
    else this.parkedNext = connection;
  }

  private answerNext(connection: HttpConnection): void {
    const batch = this.batch as Batch;
    const record = batch.records[batch.served++] as InvocationRecord;
    this.byId.set(record.requestId, record);
    const headers =
      `Lambda-Runtime-Aws-Request-Id: ${record.requestId}\r\n` +
      `Lambda-Runtime-Deadline-Ms: ${Date.now() + DEADLINE_MS}\r\n` +
      EVENT_HEADERS;
    // Stamped before the write: a client woken by it may preempt this process before the write returns.
    record.nextAnsweredAt = performance.now();
    connection.respond("200 OK", headers, batch.event);
  }

  private onResponse(
    head: RequestHead,
    connection: HttpConnection,
    record: InvocationRecord,
    at: number,
  ): BodySink {
    record.responseStartedAt = at;
    record.streaming = head.headers.get("lambda-runtime-function-response-mode") === "streaming";
    record.contentType = head.headers.get("content-type") ?? "";
    const scanner = new BodyScanner(record, record.contentType === PRELUDE_CONTENT_TYPE);
    return {
      data: (buffer, start, end, dataAt) => scanner.push(buffer, start, end, dataAt),
      end: (trailers, endAt) => {
        record.lastByteAt = endAt;
        scanner.finish();
        const trailerType = trailers.get("lambda-runtime-function-error-type");
        if (trailerType !== undefined) {
          record.errorType = trailerType;
          const body = trailers.get("lambda-runtime-function-error-body");
          record.errorBody = body === undefined ? undefined : Buffer.from(body, "base64").toString("utf8");
        }
        connection.respond(ACCEPTED.status, ACCEPTED.headers, ACCEPTED.body);
        this.complete(record);
      },
    };
  }

  private onInvocationError(
    head: RequestHead,
    connection: HttpConnection,
    record: InvocationRecord,
    at: number,
  ): BodySink {
    record.responseStartedAt = at;
    record.errorType = head.headers.get("lambda-runtime-function-error-type") ?? "Unknown";
    return keepSmallBody((body, endAt) => {
      record.lastByteAt = endAt;
      record.errorBody = body.toString("utf8");
      connection.respond(ACCEPTED.status, ACCEPTED.headers, ACCEPTED.body);
      this.complete(record);
    });
  }

  private onInitError(head: RequestHead, connection: HttpConnection): BodySink {
    const errorType = head.headers.get("lambda-runtime-function-error-type") ?? "Unknown";
    return keepSmallBody((body) => {
      connection.respond(ACCEPTED.status, ACCEPTED.headers, ACCEPTED.body);
      this.rejectInit(new Error(`the client posted /init/error ${errorType}: ${body.toString("utf8")}`));
    });
  }

  private complete(record: InvocationRecord): void {
    this.byId.delete(record.requestId);
    const batch = this.batch;
    if (!batch) return;
    if (record.errorType !== undefined) {
      batch.reject(
        new Error(`invocation ${record.requestId} failed: ${record.errorType} ${record.errorBody ?? ""}`),
      );
      return;
    }
    if (++batch.completed === batch.records.length) batch.resolve(batch.records);
  }
}

/** Counts a response body's bytes and finds where the prelude ends, copying at most the prelude. */
class BodyScanner {
  private preludeParts: Buffer[] = [];
  private preludeBytes = 0;
  private inPrelude: boolean;
  private overflowed = false;

  constructor(
    private readonly record: InvocationRecord,
    hasPrelude: boolean,
  ) {
    this.inPrelude = hasPrelude;
  }

  push(buffer: Buffer, start: number, end: number, at: number): void {
    const record = this.record;
    const length = end - start;
    record.totalBytes += length;
    if (!this.inPrelude) {
      if (record.bodyBytes === 0) record.firstBodyByteAt = at;
      record.bodyBytes += length;
      if (!record.streaming && record.bufferedBody.length < MAX_KEPT_BODY_BYTES) {
        const room = MAX_KEPT_BODY_BYTES - record.bufferedBody.length;
        record.bufferedBody = Buffer.concat([
          record.bufferedBody,
          buffer.subarray(start, start + Math.min(length, room)),
        ]);
      }
      return;
    }
    // The read buffer is reused: keep a copy of what may belong to the prelude.
    this.preludeParts.push(Buffer.from(buffer.subarray(start, end)));
    this.preludeBytes += length;
    const seen =
      this.preludeParts.length === 1 ? (this.preludeParts[0] as Buffer) : Buffer.concat(this.preludeParts);
    const nul = seen.indexOf(0);
    if (nul !== -1 && seen.length >= nul + DELIMITER_LENGTH) {
      this.inPrelude = false;
      this.preludeParts = [];
      record.prelude = seen.toString("utf8", 0, nul);
      if (!seen.subarray(nul, nul + DELIMITER_LENGTH).every((byte) => byte === 0)) {
        record.errorType = "BenchBadPreludeDelimiter";
      }
      const rest = seen.length - nul - DELIMITER_LENGTH;
      if (rest > 0) record.firstBodyByteAt = at;
      record.bodyBytes = rest;
    } else if (this.preludeBytes > MAX_PRELUDE_BYTES) {
      // Not a prelude: stop scanning (finish() reports it) and count the rest as body.
      this.preludeParts = [];
      this.inPrelude = false;
      this.overflowed = true;
    }
  }

  finish(): void {
    if (this.inPrelude || this.overflowed) this.record.errorType ??= "BenchNoPreludeDelimiter";
  }
}

/** A sink for bodies nobody reads (`GET`s). */
const IGNORED_BODY: BodySink = { data() {}, end() {} };

/** A sink that keeps up to 64 KiB of a small body and hands it over at the end. */
function keepSmallBody(onEnd: (body: Buffer, at: number) => void): BodySink {
  let kept = Buffer.alloc(0);
  return {
    data(buffer, start, end) {
      const room = MAX_KEPT_BODY_BYTES - kept.length;
      if (room > 0) kept = Buffer.concat([kept, buffer.subarray(start, Math.min(end, start + room))]);
    },
    end: (_trailers, at) => onEnd(kept, at),
  };
}

function newRecord(requestId: string): InvocationRecord {
  return {
    requestId,
    nextAnsweredAt: NaN,
    responseStartedAt: NaN,
    firstBodyByteAt: NaN,
    lastByteAt: NaN,
    totalBytes: 0,
    bodyBytes: 0,
    streaming: false,
    contentType: "",
    prelude: undefined,
    bufferedBody: Buffer.alloc(0),
    errorType: undefined,
    errorBody: undefined,
  };
}
