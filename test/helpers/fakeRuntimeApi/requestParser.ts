// Incremental HTTP/1.1 request parser: heads, zero-copy body slices, trailers, and how each message ended.

/** A request line and its headers (names lower case; repeated headers joined with ", "). */
export interface RequestHead {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** What the parser reports, in order, for each request on a connection. */
export interface RequestEvents {
  /** A request's head arrived at `at` (`performance.now()`). */
  head(head: RequestHead, at: number): void;
  /**
   * Body bytes `buffer[start, end)`, de-chunked, that arrived at `at`. The buffer is not copied and may be
   * reused once the call returns: copy what you keep.
   */
  body(buffer: Buffer, start: number, end: number, at: number): void;
  /**
   * The message ended; the next one starts at `offset` of the buffer being parsed. `lastChunk` tells whether
   * it was chunked (and so ended with a zero-length chunk); `trailers` holds the fields after that chunk.
   */
  end(trailers: Readonly<Record<string, string>>, lastChunk: boolean, at: number, offset: number): void;
}

/** Malformed input, with the status a server would answer it with. */
export class HttpParseError extends Error {
  constructor(
    message: string,
    /** 400, or 431 when a head or trailer section is too large. */
    readonly status: 400 | 431,
  ) {
    super(message);
    this.name = "HttpParseError";
  }
}

/** A head, a chunk size line or a trailer section longer than this is refused. */
const MAX_BLOCK_BYTES = 64 * 1024;
/** More hex digits than this in a chunk size is refused (12 digits: 256 TiB). */
const MAX_SIZE_DIGITS = 12;
const CR = 0x0d;
const LF = 0x0a;
const CRLF_CRLF = Buffer.from("\r\n\r\n", "latin1");
const EMPTY = Buffer.alloc(0);
const NO_TRAILERS: Readonly<Record<string, string>> = Object.freeze({});

enum State {
  Head,
  FixedBody,
  ChunkSize,
  ChunkExtension,
  ChunkSizeLf,
  ChunkData,
  ChunkDataCr,
  ChunkDataLf,
  Trailers,
}

/**
 * Parses the requests a client sends on one connection, in pieces of any size (one byte at a time if need
 * be). Unlike node:http it tells how each message ended (a clean last chunk, a last chunk with trailers, or
 * not at all), which is what tells a truncated stream from a complete one, and it hands body bytes over as
 * slices of the caller's buffer, so a fast stream is never copied. Throws {@link HttpParseError}.
 */
export class RequestParser {
  readonly #events: RequestEvents;
  #state = State.Head;
  /** A head or trailer section that has not fully arrived (a copy: the caller's buffer is reused). */
  #pending: Buffer = EMPTY;
  #remaining = 0;
  #sizeDigits = 0;
  #halted = false;

  constructor(events: RequestEvents) {
    this.#events = events;
  }

  /** Whether a message has started but not ended. */
  get midMessage(): boolean {
    return this.#state !== State.Head || this.#pending.length > 0;
  }

  /** Stops parsing, also in the middle of a `push` (e.g. when an event closed the connection). */
  halt(): void {
    this.#halted = true;
  }

  /** Parses `buffer[start, end)`, received at `at`. */
  push(buffer: Buffer, start: number, end: number, at: number): void {
    let position = start;
    while (position < end && !this.#halted) {
      switch (this.#state) {
        case State.Head:
          position = this.#readHead(buffer, position, end, at);
          break;
        case State.FixedBody:
        case State.ChunkData: {
          const stop = Math.min(end, position + this.#remaining);
          this.#events.body(buffer, position, stop, at);
          this.#remaining -= stop - position;
          position = stop;
          if (this.#remaining > 0) break;
          if (this.#state === State.ChunkData) this.#state = State.ChunkDataCr;
          else this.#finish(NO_TRAILERS, false, at, position);
          break;
        }
        case State.ChunkSize:
          this.#readSizeByte(buffer[position++] as number);
          break;
        case State.ChunkExtension:
          if (buffer[position++] === CR) this.#state = State.ChunkSizeLf;
          break;
        case State.ChunkSizeLf:
          this.#expect(buffer[position++] as number, LF, "chunk size line not ended by CRLF");
          this.#endSizeLine();
          break;
        case State.ChunkDataCr:
          this.#expect(buffer[position++] as number, CR, "chunk data not followed by CRLF");
          this.#state = State.ChunkDataLf;
          break;
        case State.ChunkDataLf:
          this.#expect(buffer[position++] as number, LF, "chunk data not followed by CRLF");
          this.#state = State.ChunkSize;
          break;
        case State.Trailers:
          position = this.#readTrailers(buffer, position, end, at);
          break;
      }
    }
  }

  #readHead(buffer: Buffer, position: number, end: number, at: number): number {
    const block = this.#block(buffer, position, end, "request head", false);
    if (!block) return end;
    const head = parseHead(block.text);
    this.#events.head(head, at);
    if (/chunked/i.test(head.headers["transfer-encoding"] ?? "")) {
      this.#state = State.ChunkSize;
      this.#remaining = 0;
      this.#sizeDigits = 0;
      return block.next;
    }
    const length = head.headers["content-length"] ?? "0";
    this.#remaining = /^\d{1,15}$/.test(length) ? Number(length) : NaN;
    if (Number.isNaN(this.#remaining)) throw new HttpParseError(`malformed content-length ${length}`, 400);
    if (this.#remaining > 0) this.#state = State.FixedBody;
    else this.#finish(NO_TRAILERS, false, at, block.next);
    return block.next;
  }

  #readSizeByte(byte: number): void {
    const digit = hexValue(byte);
    if (digit !== -1 && this.#sizeDigits < MAX_SIZE_DIGITS) {
      this.#sizeDigits++;
      this.#remaining = this.#remaining * 16 + digit;
    } else if (this.#sizeDigits > 0 && (byte === 0x3b || byte === 0x20 || byte === 0x09)) {
      this.#state = State.ChunkExtension;
    } else if (this.#sizeDigits > 0 && byte === CR) {
      this.#state = State.ChunkSizeLf;
    } else {
      throw new HttpParseError(`malformed chunk size (byte 0x${byte.toString(16)})`, 400);
    }
  }

  #endSizeLine(): void {
    this.#sizeDigits = 0;
    this.#state = this.#remaining === 0 ? State.Trailers : State.ChunkData;
  }

  #readTrailers(buffer: Buffer, position: number, end: number, at: number): number {
    const block = this.#block(buffer, position, end, "trailer section", true);
    if (!block) return end;
    const trailers = block.text === "" ? NO_TRAILERS : parseFields(block.text.split("\r\n"));
    this.#finish(trailers, true, at, block.next);
    return block.next;
  }

  /**
   * Finds the end of a header block (a head, or trailers that may be empty) that starts with what is pending
   * and continues at `buffer[position]`. Returns its text and where the bytes after it start, or keeps a copy
   * of what arrived and returns undefined.
   */
  #block(
    buffer: Buffer,
    position: number,
    end: number,
    what: string,
    mayBeEmpty: boolean,
  ): { text: string; next: number } | undefined {
    const pending = this.#pending;
    const fresh = buffer.subarray(position, end);
    const view = pending.length === 0 ? fresh : Buffer.concat([pending, fresh]);
    let stop: number;
    let after: number;
    if (mayBeEmpty && view.length >= 2 && view[0] === CR && view[1] === LF) {
      stop = 0;
      after = 2;
    } else {
      stop = view.indexOf(CRLF_CRLF);
      if (stop === -1 || stop > MAX_BLOCK_BYTES) {
        if (view.length > MAX_BLOCK_BYTES) throw new HttpParseError(`${what} too large`, 431);
        this.#pending = Buffer.from(view);
        return undefined;
      }
      after = stop + CRLF_CRLF.length;
    }
    this.#pending = EMPTY;
    return { text: view.toString("latin1", 0, stop), next: position + after - pending.length };
  }

  #finish(trailers: Readonly<Record<string, string>>, lastChunk: boolean, at: number, offset: number): void {
    this.#state = State.Head;
    this.#events.end(trailers, lastChunk, at, offset);
  }

  #expect(byte: number, wanted: number, problem: string): void {
    if (byte !== wanted) throw new HttpParseError(problem, 400);
  }
}

function parseHead(text: string): RequestHead {
  const lines = text.split("\r\n");
  const requestLine = lines[0] ?? "";
  const match = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine);
  if (!match) {
    throw new HttpParseError(`malformed request line ${JSON.stringify(requestLine.slice(0, 80))}`, 400);
  }
  return { method: match[1] as string, path: match[2] as string, headers: parseFields(lines.slice(1)) };
}

function parseFields(lines: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0)
      throw new HttpParseError(`malformed field line ${JSON.stringify(line.slice(0, 80))}`, 400);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = fields[name];
    fields[name] = previous === undefined ? value : `${previous}, ${value}`;
  }
  return fields;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  return -1;
}
