// Incremental HTTP/1.1 request parser for the fault-injecting fake: head, Content-Length or chunked body, trailers.

/** A request line and its headers (names lower case; repeated headers joined with ", "). */
export interface RequestHead {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** What the parser reports, in order, for each request on a connection. */
export interface RequestParserEvents {
  /** A request's head arrived. */
  onHead(head: RequestHead): void;
  /** A piece of its body arrived (de-chunked). */
  onBody(bytes: Buffer): void;
  /**
   * Its message is complete. `lastChunk` tells whether it was chunked (and so ended with a zero-length chunk);
   * `trailers` holds the trailer fields after that chunk (names lower case).
   */
  onEnd(trailers: Readonly<Record<string, string>>, lastChunk: boolean): void;
}

type State = "head" | "length" | "chunk-size" | "chunk-data" | "chunk-end" | "trailers";

const MAX_LINE_BYTES = 64 * 1024;

/**
 * Parses the requests a runtime sends on one connection, byte by byte if need be. Unlike node:http, it keeps
 * how each message ended (clean last chunk, last chunk with trailers, or not at all), which is what tells a
 * truncated stream from a complete one. Throws on malformed input.
 */
export class RequestParser {
  private state: State = "head";
  private buffered: Buffer = Buffer.alloc(0);
  private remaining = 0;

  constructor(private readonly events: RequestParserEvents) {}

  /** Whether a message has started but not ended. */
  get midMessage(): boolean {
    return this.state !== "head" || this.buffered.length > 0;
  }

  push(data: Buffer): void {
    let input = this.buffered.length === 0 ? data : Buffer.concat([this.buffered, data]);
    this.buffered = Buffer.alloc(0);
    while (input.length > 0) {
      switch (this.state) {
        case "head": {
          const end = input.indexOf("\r\n\r\n", 0, "latin1");
          if (end === -1) return this.keep(input, "request head");
          const head = parseHead(input.toString("latin1", 0, end));
          input = input.subarray(end + 4);
          this.events.onHead(head);
          if (/chunked/i.test(head.headers["transfer-encoding"] ?? "")) {
            this.state = "chunk-size";
          } else {
            this.remaining = Number(head.headers["content-length"] ?? "0");
            if (!Number.isSafeInteger(this.remaining) || this.remaining < 0) {
              throw new Error(`malformed content-length ${head.headers["content-length"]}`);
            }
            if (this.remaining === 0) this.events.onEnd({}, false);
            else this.state = "length";
          }
          break;
        }
        case "length": {
          const take = Math.min(this.remaining, input.length);
          this.events.onBody(input.subarray(0, take));
          this.remaining -= take;
          input = input.subarray(take);
          if (this.remaining === 0) {
            this.state = "head";
            this.events.onEnd({}, false);
          }
          break;
        }
        case "chunk-size": {
          const end = input.indexOf("\r\n", 0, "latin1");
          if (end === -1) return this.keep(input, "chunk size line");
          const size = input.toString("latin1", 0, end).split(";", 1)[0]?.trim() ?? "";
          if (!/^[0-9a-fA-F]{1,12}$/.test(size))
            throw new Error(`malformed chunk size ${JSON.stringify(size)}`);
          this.remaining = parseInt(size, 16);
          this.state = this.remaining === 0 ? "trailers" : "chunk-data";
          input = input.subarray(end + 2);
          break;
        }
        case "chunk-data": {
          const take = Math.min(this.remaining, input.length);
          this.events.onBody(input.subarray(0, take));
          this.remaining -= take;
          input = input.subarray(take);
          if (this.remaining === 0) this.state = "chunk-end";
          break;
        }
        case "chunk-end": {
          if (input.length < 2) return this.keep(input, "chunk end");
          if (input[0] !== 0x0d || input[1] !== 0x0a) throw new Error("chunk data not followed by CRLF");
          input = input.subarray(2);
          this.state = "chunk-size";
          break;
        }
        case "trailers": {
          const blank = input.length >= 2 && input[0] === 0x0d && input[1] === 0x0a;
          const end = blank ? 0 : input.indexOf("\r\n\r\n", 0, "latin1");
          if (end === -1) return this.keep(input, "trailers");
          const trailers = blank ? {} : parseFields(input.toString("latin1", 0, end).split("\r\n"));
          input = input.subarray(blank ? 2 : end + 4);
          this.state = "head";
          this.events.onEnd(trailers, true);
          break;
        }
      }
    }
  }

  private keep(input: Buffer, what: string): void {
    if (input.length > MAX_LINE_BYTES) throw new Error(`${what} too large`);
    this.buffered = input;
  }
}

function parseHead(text: string): RequestHead {
  const [requestLine = "", ...lines] = text.split("\r\n");
  const match = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine);
  if (!match) throw new Error(`malformed request line ${JSON.stringify(requestLine.slice(0, 80))}`);
  return { method: match[1] as string, path: match[2] as string, headers: parseFields(lines) };
}

function parseFields(lines: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`malformed header line ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    fields[name] = fields[name] === undefined ? value : `${fields[name]}, ${value}`;
  }
  return fields;
}
