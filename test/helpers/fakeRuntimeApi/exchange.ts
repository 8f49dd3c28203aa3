// What the fake records: each request and how it ended (Exchange), and each invocation it handed out.
import { NEXT_PATH, type QueuedEvent } from "./answers";
import { PreludeScanner, PRELUDE_CONTENT_TYPE } from "./preludeScanner";
import type { RequestHead } from "./requestParser";

/** `open`: still arriving; `complete`: the message ended; `cut`: its connection closed first. */
export type ExchangeState = "open" | "complete" | "cut";

/** What the fake did with a request: the status it answered, or the fault it applied. */
export type Answer = number | "dropped" | "garbage";

/** An error a reply carries: an `/error` post, error trailers, or a malformed prelude. */
export interface ReplyError {
  readonly errorType: string;
  readonly errorMessage: string;
}

/** One request the client made, and what became of it. Times are `performance.now()` milliseconds. */
export class Exchange {
  readonly method: string;
  readonly path: string;
  /** Header names are lower case; repeated headers are joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  /** Body bytes received (de-chunked), also those not kept. */
  bodyLength = 0;
  /** Arrival time of each piece of the body. */
  readonly bodyTimes: number[] = [];
  /** Trailer fields after the last chunk (names lower case). */
  trailers: Readonly<Record<string, string>> = {};
  state: ExchangeState = "open";
  /** Whether a chunked body ended with its zero-length chunk. */
  lastChunk = false;
  /** When the message ended, or its connection closed first. */
  lastByteAt = NaN;
  /** What the fake answered (`undefined` while it has not). */
  answer: Answer | undefined;
  /** For a stalled exchange: body bytes received when reading stopped, and ms until it resumed. */
  stall: { atBytes: number; resumedAfterMs: number | undefined } | undefined;
  readonly #parts: Buffer[] = [];
  #kept = 0;
  readonly #keepBodyBytes: number;
  readonly #scanner: PreludeScanner;
  readonly #raw: Buffer[] | undefined;

  constructor(
    /** Which connection it came on (counting from 1). */
    readonly connection: number,
    head: RequestHead,
    /** When its head arrived. */
    readonly headAt: number,
    options: { keepBodyBytes: number; recordRaw: boolean },
  ) {
    this.method = head.method;
    this.path = head.path;
    this.headers = head.headers;
    this.#keepBodyBytes = options.keepBodyBytes;
    this.#scanner = new PreludeScanner(head.headers["content-type"] === PRELUDE_CONTENT_TYPE);
    this.#raw = options.recordRaw ? [] : undefined;
  }

  /** Whether this is a `GET /next` poll. */
  get isNext(): boolean {
    return this.path === NEXT_PATH;
  }

  /** Whether the body was sent chunked. */
  get chunked(): boolean {
    return /chunked/i.test(this.headers["transfer-encoding"] ?? "");
  }

  /** The body received so far, as far as it was kept (see `keepBodyBytes`). */
  get body(): Buffer {
    return this.#parts.length === 1 ? (this.#parts[0] as Buffer) : Buffer.concat(this.#parts);
  }

  /** The prelude's JSON text, for a body of the HTTP integration content type once its delimiter arrived. */
  get prelude(): string | undefined {
    return this.#scanner.result.prelude;
  }

  /** Body bytes after the prelude (all of them without a prelude). */
  get bodyBytes(): number {
    return this.#scanner.result.bodyBytes;
  }

  /** When the first body byte arrived: the first byte after the prelude's 8 NULs, if there is a prelude. */
  get firstBodyByteAt(): number {
    return this.#scanner.result.firstBodyByteAt;
  }

  /** Bytes received on the wire for this request (head, framing, trailers), when the fake records them. */
  get raw(): Buffer {
    return Buffer.concat(this.#raw ?? []);
  }

  /** The error this reply carries, if any. */
  get error(): ReplyError | undefined {
    if (this.path.endsWith("/error")) {
      return {
        errorType: this.headers["lambda-runtime-function-error-type"] ?? "(no error type header)",
        errorMessage: this.body.toString("utf8"),
      };
    }
    const trailerType = this.trailers["lambda-runtime-function-error-type"];
    if (trailerType !== undefined) {
      const body = this.trailers["lambda-runtime-function-error-body"] ?? "";
      return { errorType: trailerType, errorMessage: Buffer.from(body, "base64").toString("utf8") };
    }
    const problem = this.#scanner.result.problem;
    if (problem !== undefined) return { errorType: "MalformedPrelude", errorMessage: problem };
    return undefined;
  }

  /** For the fake: body bytes `buffer[start, end)` arrived at `at` (the buffer is copied if kept). */
  addBody(buffer: Buffer, start: number, end: number, at: number): void {
    const length = end - start;
    this.bodyLength += length;
    this.bodyTimes.push(at);
    this.#scanner.push(buffer, start, end, at);
    const room = this.#keepBodyBytes - this.#kept;
    if (room <= 0) return;
    const take = Math.min(room, length);
    this.#parts.push(Buffer.from(buffer.subarray(start, start + take)));
    this.#kept += take;
  }

  /** For the fake: bytes of this request as they came off the wire (copied). */
  addRaw(buffer: Buffer, start: number, end: number): void {
    if (this.#raw && end > start) this.#raw.push(Buffer.from(buffer.subarray(start, end)));
  }

  /** For the fake: the message ended at `at`. */
  complete(trailers: Readonly<Record<string, string>>, lastChunk: boolean, at: number): void {
    this.#scanner.finish();
    this.trailers = trailers;
    this.lastChunk = lastChunk;
    this.lastByteAt = at;
    this.state = "complete";
  }

  /** For the fake: the connection closed; returns true if that cut the message short. */
  cut(at: number): boolean {
    if (this.state !== "open") return false;
    this.lastByteAt = at;
    this.state = "cut";
    return true;
  }
}

/** One invocation the fake handed out (or will), and the replies it got. */
export class Invocation {
  /** When its `/next` answer was about to be handed to the socket (`NaN` until then). */
  nextAnsweredAt = NaN;
  /** The `/response` and `/error` posts for it, in arrival order. */
  readonly replies: Exchange[] = [];

  constructor(
    /** The event as queued. */
    readonly event: QueuedEvent,
  ) {}

  get requestId(): string {
    return this.event.requestId;
  }

  /** The last reply, if any. */
  get reply(): Exchange | undefined {
    return this.replies[this.replies.length - 1];
  }

  /** When the reply's first body byte after the prelude arrived. */
  get firstBodyByteAt(): number {
    return this.reply?.firstBodyByteAt ?? NaN;
  }

  /** When the reply's last byte arrived. */
  get lastByteAt(): number {
    return this.reply?.lastByteAt ?? NaN;
  }

  /** The reply's body bytes after the prelude. */
  get bodyBytes(): number {
    return this.reply?.bodyBytes ?? 0;
  }
}
