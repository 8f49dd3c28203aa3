// A minimal HTTP/1.1 client for the Runtime API: one keep-alive TCP connection, one request at a time.
//
// The Runtime API is a plain HTTP/1.1 server on loopback. Speaking it over `node:net` directly, rather than
// through `node:http`, saves most of the per-request objects and the start-up cost of loading `node:http`,
// which is what a runtime's time to first byte and cold start are made of. Responses are parsed by
// `ResponseParser` (status line, headers, a Content-Length, chunked or read-to-close body).
import type { Socket } from "node:net";
import { RuntimeApiError } from "./errors";
import type { RuntimeApiRequest } from "./protocol";

// Loaded without a static import: on Node 24 a static ESM import of a built-in costs start-up time.
const net = process.getBuiltinModule("node:net");

/** A parsed HTTP response from the Runtime API. Header names are lower case. */
export interface RuntimeApiResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** How many bytes may wait in the socket's buffer before a streamed write has to wait for it to drain. */
export const STREAM_HIGH_WATER_MARK = 1024 * 1024;

const CRLF = Buffer.from("\r\n", "latin1");
const EMPTY = Buffer.alloc(0);
const MAX_HEAD_BYTES = 64 * 1024;

/** A request whose body is sent as HTTP/1.1 chunks and may end with trailers. */
export interface StreamingRequest {
  /** Sends a chunk. Returns false when the socket's buffer is full: wait for `drained()` before writing more. */
  write(chunk: Uint8Array): boolean;
  /** Resolves when the socket's buffer has room again; rejects if the connection closed. */
  drained(): Promise<void>;
  /** Ends the body (with trailers, if given) and resolves with the Runtime API's answer. */
  end(trailers?: Readonly<Record<string, string>>): Promise<RuntimeApiResponse>;
  /** The Runtime API's answer, which may arrive before the body ends (for example a 413). */
  readonly response: Promise<RuntimeApiResponse>;
}

interface PendingRequest {
  readonly path: string;
  resolve(response: RuntimeApiResponse): void;
  reject(error: Error): void;
}

/** One keep-alive HTTP/1.1 connection to the Runtime API at `host:port`, reconnecting when it closes. */
export class RuntimeApiConnection {
  readonly #host: string;
  readonly #port: number;
  #socket: Socket | undefined;
  #parser = new ResponseParser();
  #pending: PendingRequest | undefined;

  /** @param address `host:port` as in `AWS_LAMBDA_RUNTIME_API` (IPv6 hosts in brackets). */
  constructor(readonly address: string) {
    const { host, port } = parseAddress(address);
    this.#host = host;
    this.#port = port;
  }

  /** Sends a request with an optional complete body and resolves with the response. */
  send(request: RuntimeApiRequest, body?: Uint8Array): Promise<RuntimeApiResponse> {
    const response = this.#begin(request.path);
    const socket = this.#connected();
    const head = encodeHead(request, this.address);
    if (body === undefined || body.length === 0) {
      socket.write(head, "latin1");
    } else {
      socket.cork();
      socket.write(head, "latin1");
      socket.write(body);
      socket.uncork();
    }
    return response;
  }

  /**
   * Starts a request whose body is streamed in chunks. The head is sent together with the first chunk
   * (or with the end), so a prelude and the request head leave in one packet.
   */
  stream(request: RuntimeApiRequest): StreamingRequest {
    const response = this.#begin(request.path);
    // The Runtime API may answer before the body ends (a 413, say) and close the connection: keep the answer
    // so the write that then fails says why. A rejection (the connection dropped mid-stream) is handled by
    // the writer's next call; do not let it surface as an unhandled rejection meanwhile.
    let earlyAnswer: RuntimeApiResponse | undefined;
    response.then(
      (answer) => (earlyAnswer = answer),
      () => undefined,
    );
    const socket = this.#connected();
    let head: string | undefined = encodeHead(request, this.address);
    let ended = false;
    // Everything written in one turn of the event loop leaves in one writev: a handler that sends its
    // prelude, a small body and the end without waiting in between sends one packet, not three.
    let corked = false;
    const uncork = (): void => {
      corked = false;
      socket.uncork();
    };
    const coalesce = (): void => {
      if (corked) return;
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    };
    const flushHead = (): void => {
      if (head !== undefined) {
        socket.write(head, "latin1");
        head = undefined;
      }
    };
    const connectionLost = (): RuntimeApiError => {
      if (!earlyAnswer) {
        return new RuntimeApiError(`connection to the Runtime API closed while streaming`, request.path);
      }
      const { statusCode, body } = earlyAnswer;
      const detail = body.toString("utf8", 0, Math.min(body.length, 300)).trim();
      return new RuntimeApiError(
        `the Runtime API answered ${request.method} ${request.path} with ${statusCode} before the streamed ` +
          `body ended, and closed the connection${detail ? `: ${detail}` : ""}`,
        request.path,
        statusCode,
      );
    };
    return {
      response,
      write: (chunk) => {
        if (ended) throw new RuntimeApiError("write after the streamed body ended", request.path);
        if (socket.destroyed) throw connectionLost();
        if (chunk.length === 0) return socket.writableLength < STREAM_HIGH_WATER_MARK;
        coalesce();
        flushHead();
        socket.write(`${chunk.length.toString(16)}\r\n`, "latin1");
        socket.write(chunk);
        socket.write(CRLF);
        return socket.writableLength < STREAM_HIGH_WATER_MARK;
      },
      drained: () => {
        if (socket.destroyed) return Promise.reject(connectionLost());
        if (socket.writableLength < STREAM_HIGH_WATER_MARK) return Promise.resolve();
        return new Promise<void>((resolve, reject) => {
          const onDrain = (): void => {
            socket.off("close", onClose);
            resolve();
          };
          const onClose = (): void => {
            socket.off("drain", onDrain);
            reject(connectionLost());
          };
          socket.once("drain", onDrain);
          socket.once("close", onClose);
        });
      },
      end: (trailers) => {
        if (ended) throw new RuntimeApiError("the streamed body was already ended", request.path);
        ended = true;
        if (!socket.destroyed) {
          coalesce();
          flushHead();
          socket.write(encodeLastChunk(trailers), "latin1");
        }
        return response;
      },
    };
  }

  /** Closes the connection; a request in flight is rejected. */
  close(): void {
    this.#socket?.destroy();
  }

  #begin(path: string): Promise<RuntimeApiResponse> {
    if (this.#pending) {
      throw new RuntimeApiError(
        `a request to ${this.#pending.path} is still in flight; the Runtime API connection serves one at a time`,
        path,
      );
    }
    return new Promise<RuntimeApiResponse>((resolve, reject) => {
      this.#pending = { path, resolve, reject };
    });
  }

  #connected(): Socket {
    if (this.#socket && !this.#socket.destroyed) return this.#socket;
    const socket = net.connect({ host: this.#host, port: this.#port });
    socket.setNoDelay(true);
    this.#parser = new ResponseParser();
    socket.on("data", (data: Buffer) => this.#onData(socket, data));
    socket.on("error", (error) => this.#fail(socket, error));
    socket.on("close", () => this.#fail(socket, undefined));
    this.#socket = socket;
    return socket;
  }

  #onData(socket: Socket, data: Buffer): void {
    let response: RuntimeApiResponse | undefined;
    try {
      response = this.#parser.push(data);
    } catch (error) {
      socket.destroy();
      this.#fail(socket, error as Error);
      return;
    }
    if (!response) return;
    const pending = this.#pending;
    this.#pending = undefined;
    this.#parser = new ResponseParser();
    if (!pending) {
      socket.destroy();
      return;
    }
    if (response.headers.connection?.toLowerCase() === "close") socket.destroy();
    pending.resolve(response);
  }

  #fail(socket: Socket, error: Error | undefined): void {
    // Only the current socket's first failure counts ('error' is followed by 'close'). A socket that was
    // already replaced had its request settled; its late 'close' must not fail the request now in flight on
    // the new connection (that would drop the answer to it, and with it an invocation).
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    const reason = error ? `: ${error.message}` : "";
    pending.reject(
      new RuntimeApiError(
        `connection to the Lambda Runtime API at ${this.address} failed during ${pending.path}${reason}`,
        pending.path,
        undefined,
        { cause: error },
      ),
    );
  }
}

/** Splits `host:port` (or `[v6]:port`) and checks the port. */
export function parseAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(address);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw new RuntimeApiError(`AWS_LAMBDA_RUNTIME_API must be host:port, got ${JSON.stringify(address)}`, "");
  }
  return { host: (match[1] ?? match[2]) as string, port };
}

/** The request line and headers of a request, ending with the blank line. */
export function encodeHead(request: RuntimeApiRequest, host: string): string {
  let head = `${request.method} ${request.path} HTTP/1.1\r\nHost: ${host}\r\n`;
  for (const [name, value] of Object.entries(request.headers)) head += `${name}: ${value}\r\n`;
  return head + "\r\n";
}

/** The zero-length chunk that ends a chunked body, with optional trailers. */
export function encodeLastChunk(trailers?: Readonly<Record<string, string>>): string {
  let last = "0\r\n";
  for (const [name, value] of Object.entries(trailers ?? {})) last += `${name}: ${value}\r\n`;
  return last + "\r\n";
}

type ParserState = "head" | "length" | "chunk-size" | "chunk-data" | "chunk-end" | "trailers" | "done";

/**
 * An incremental HTTP/1.1 response parser. Feed it bytes with `push`; it returns the response once complete.
 * Throws on malformed input. Bodies of known length are collected without copying until complete.
 */
export class ResponseParser {
  #state: ParserState = "head";
  #buffered: Buffer = EMPTY;
  #statusCode = 0;
  #headers: Record<string, string> = {};
  #parts: Buffer[] = [];
  #remaining = 0;

  push(data: Buffer): RuntimeApiResponse | undefined {
    let input = this.#buffered.length === 0 ? data : Buffer.concat([this.#buffered, data]);
    this.#buffered = EMPTY;
    while (input.length > 0 || this.#state === "done") {
      switch (this.#state) {
        case "head": {
          const end = input.indexOf("\r\n\r\n", 0, "latin1");
          if (end === -1) {
            if (input.length > MAX_HEAD_BYTES) throw new Error("response head too large");
            this.#buffered = input;
            return undefined;
          }
          this.#state = this.#parseHead(input.toString("latin1", 0, end));
          input = input.subarray(end + 4);
          if (this.#state === "done") return this.#finishResponse(input);
          break;
        }
        case "length": {
          const take = Math.min(this.#remaining, input.length);
          this.#parts.push(input.subarray(0, take));
          this.#remaining -= take;
          input = input.subarray(take);
          if (this.#remaining === 0) return this.#finishResponse(input);
          break;
        }
        case "chunk-size": {
          const end = input.indexOf("\r\n", 0, "latin1");
          if (end === -1) {
            if (input.length > 1024) throw new Error("malformed chunk size line");
            this.#buffered = input;
            return undefined;
          }
          const sizeText = input.toString("latin1", 0, end).split(";", 1)[0]?.trim() ?? "";
          if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText)) throw new Error(`malformed chunk size ${sizeText}`);
          this.#remaining = parseInt(sizeText, 16);
          input = input.subarray(end + 2);
          this.#state = this.#remaining === 0 ? "trailers" : "chunk-data";
          break;
        }
        case "chunk-data": {
          const take = Math.min(this.#remaining, input.length);
          this.#parts.push(input.subarray(0, take));
          this.#remaining -= take;
          input = input.subarray(take);
          if (this.#remaining === 0) this.#state = "chunk-end";
          break;
        }
        case "chunk-end": {
          if (input.length < 2) {
            this.#buffered = input;
            return undefined;
          }
          if (input[0] !== 0x0d || input[1] !== 0x0a) throw new Error("chunk not followed by CRLF");
          input = input.subarray(2);
          this.#state = "chunk-size";
          break;
        }
        case "trailers": {
          if (input.length >= 2 && input[0] === 0x0d && input[1] === 0x0a) {
            return this.#finishResponse(input.subarray(2));
          }
          const end = input.indexOf("\r\n\r\n", 0, "latin1");
          if (end === -1) {
            if (input.length > MAX_HEAD_BYTES) throw new Error("response trailers too large");
            this.#buffered = input;
            return undefined;
          }
          return this.#finishResponse(input.subarray(end + 4));
        }
        case "done":
          return this.#finishResponse(input);
      }
    }
    return undefined;
  }

  /** Parses the status line and headers; returns the state the body starts in. */
  #parseHead(head: string): ParserState {
    const lines = head.split("\r\n");
    const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? "");
    if (!status) throw new Error(`malformed status line ${JSON.stringify(lines[0]?.slice(0, 80))}`);
    this.#statusCode = Number(status[1]);
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(":");
      if (colon <= 0) throw new Error(`malformed header line ${JSON.stringify(line.slice(0, 80))}`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    this.#headers = headers;
    // An interim response (100 Continue): the real one follows.
    if (this.#statusCode < 200) return "head";
    const transferEncoding = headers["transfer-encoding"];
    const contentLength = headers["content-length"];
    if (transferEncoding !== undefined && /(^|,)\s*chunked\s*$/i.test(transferEncoding)) return "chunk-size";
    if (contentLength !== undefined) {
      if (!/^\d{1,15}$/.test(contentLength)) throw new Error(`malformed content-length ${contentLength}`);
      this.#remaining = Number(contentLength);
      return this.#remaining === 0 ? "done" : "length";
    }
    if (this.#statusCode === 204 || this.#statusCode === 304) return "done";
    throw new Error("response has neither content-length nor chunked encoding");
  }

  #finishResponse(rest: Buffer): RuntimeApiResponse {
    if (rest.length > 0) throw new Error(`${rest.length} unexpected bytes after the response`);
    const body = this.#parts.length === 1 ? (this.#parts[0] as Buffer) : Buffer.concat(this.#parts);
    return { statusCode: this.#statusCode, headers: this.#headers, body };
  }
}
