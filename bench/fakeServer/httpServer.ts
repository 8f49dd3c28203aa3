// A minimal HTTP/1.1 server for the fake Runtime API: one reused read buffer, bodies passed through uncopied.
import net from "node:net";
import { performance } from "node:perf_hooks";

/**
 * Size of the single read buffer every connection reads into. Node's default allocates a fresh buffer per
 * read and collects it later, which at gigabytes per second costs the receiving process a whole core; with
 * one reused buffer the fake server needs well under a core at the loopback limit.
 */
const READ_BUFFER_BYTES = 256 * 1024;
/** A request head (request line and headers) larger than this is refused. */
const MAX_HEAD_BYTES = 64 * 1024;

const CRLF_CRLF = Buffer.from("\r\n\r\n");
const LF = 0x0a;
const CR = 0x0d;
const SEMICOLON = 0x3b;

/** A parsed request line and headers (names lower-cased). */
export interface RequestHead {
  readonly method: string;
  readonly path: string;
  readonly headers: ReadonlyMap<string, string>;
}

/** Receives one request's body. `buffer` is reused after each call: copy what you keep. */
export interface BodySink {
  /** Body bytes `buffer[start..end)`, received at `at` (`performance.now()`). */
  data(buffer: Buffer, start: number, end: number, at: number): void;
  /** The body is complete; `trailers` are the chunked trailers (names lower-cased), if any. */
  end(trailers: ReadonlyMap<string, string>, at: number): void;
}

/** Handles requests; answers through the connection. */
export type RequestListener = (head: RequestHead, connection: HttpConnection, at: number) => BodySink;

/** A started server. */
export interface MinimalHttpServer {
  readonly port: number;
  /** Stops listening and closes every connection. */
  close(): void;
}

/** Starts a server on an ephemeral port of 127.0.0.1. */
export async function startHttpServer(onRequest: RequestListener): Promise<MinimalHttpServer> {
  const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  const connections = new Set<HttpConnection>();
  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (accepted) => {
    const connection = new HttpConnection(onRequest);
    connections.add(connection);
    connection.attach(adoptWithSharedBuffer(accepted, readBuffer, connection));
    connection.socket.on("close", () => connections.delete(connection));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    close() {
      server.close();
      for (const connection of connections) connection.socket.destroy();
    },
  };
}

/**
 * Re-wraps an accepted socket's handle in a socket that reads into `buffer` (the `onread` option, which
 * `net.createServer` does not offer for accepted sockets). Falls back to ordinary `data` events if the
 * handle is not reachable.
 */
function adoptWithSharedBuffer(accepted: net.Socket, buffer: Buffer, connection: HttpConnection): net.Socket {
  const withHandle = accepted as net.Socket & { _handle?: unknown };
  if (!withHandle._handle) {
    accepted.on("data", (data: Buffer) => connection.feed(data, data.length, performance.now()));
    accepted.resume();
    return accepted;
  }
  const socket = new net.Socket({
    handle: withHandle._handle,
    readable: true,
    writable: true,
    onread: {
      buffer,
      callback: (length: number, read: Uint8Array) =>
        connection.feed(read as Buffer, length, performance.now()),
    },
  } as unknown as net.SocketConstructorOpts);
  // The old wrapper gives up the handle; destroying it settles the server's connection count.
  withHandle._handle = null;
  accepted.destroy();
  socket.resume();
  return socket;
}

enum State {
  Head,
  FixedBody,
  ChunkSize,
  ChunkExtension,
  ChunkData,
  ChunkDataEnd,
  Trailers,
}

/** One client connection: parses requests as bytes arrive and writes answers. */
export class HttpConnection {
  private socketRef: net.Socket | undefined;
  private state = State.Head;
  private head = "";
  private sink: BodySink | undefined;
  private remaining = 0;
  private chunkSizeDigits = 0;
  private trailerText = "";
  private closeAfterResponse = false;

  constructor(private readonly onRequest: RequestListener) {}

  /** The underlying socket. */
  get socket(): net.Socket {
    return this.socketRef as net.Socket;
  }

  /** Binds the socket once it exists. */
  attach(socket: net.Socket): void {
    this.socketRef = socket;
    socket.on("error", () => socket.destroy());
  }

  /**
   * Writes a complete response: status line, `headers` (already formatted `Name: value\r\n` lines) and
   * `body`, in one write.
   */
  respond(status: string, headers: string, body: Buffer): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    const connection = this.closeAfterResponse ? "Connection: close\r\n" : "";
    socket.cork();
    socket.write(
      `HTTP/1.1 ${status}\r\n${headers}${connection}Content-Length: ${body.length}\r\n\r\n`,
      "latin1",
    );
    socket.write(body);
    socket.uncork();
    if (this.closeAfterResponse) socket.end();
  }

  /** Parses `buffer[0..length)`, received at `at`. */
  feed(buffer: Buffer, length: number, at: number): void {
    let position = 0;
    while (position < length) {
      switch (this.state) {
        case State.Head:
          position = this.readHead(buffer, position, length, at);
          break;
        case State.FixedBody: {
          const end = Math.min(length, position + this.remaining);
          this.sink?.data(buffer, position, end, at);
          this.remaining -= end - position;
          position = end;
          if (this.remaining === 0) this.finishBody(new Map(), at);
          break;
        }
        case State.ChunkSize: {
          const byte = buffer[position++] as number;
          if (byte === LF) this.endChunkSizeLine();
          else if (byte === SEMICOLON) this.state = State.ChunkExtension;
          else if (byte !== CR) this.addChunkSizeDigit(byte);
          break;
        }
        case State.ChunkExtension:
          if (buffer[position++] === LF) this.endChunkSizeLine();
          break;
        case State.ChunkData: {
          const end = Math.min(length, position + this.remaining);
          this.sink?.data(buffer, position, end, at);
          this.remaining -= end - position;
          position = end;
          if (this.remaining === 0) this.state = State.ChunkDataEnd;
          break;
        }
        case State.ChunkDataEnd:
          if (buffer[position++] === LF) this.state = State.ChunkSize;
          break;
        case State.Trailers:
          position = this.readTrailers(buffer, position, length, at);
          break;
      }
      if (this.socket.destroyed) return;
    }
  }

  private readHead(buffer: Buffer, position: number, length: number, at: number): number {
    const view = buffer.subarray(position, length);
    let consumed: number;
    if (this.head === "") {
      const end = view.indexOf(CRLF_CRLF);
      if (end === -1) {
        this.head = view.toString("latin1");
        return length;
      }
      this.head = view.toString("latin1", 0, end);
      consumed = end + CRLF_CRLF.length;
    } else {
      const joined = this.head + view.toString("latin1", 0, Math.min(view.length, MAX_HEAD_BYTES));
      const end = joined.indexOf("\r\n\r\n");
      if (end === -1) {
        if (joined.length > MAX_HEAD_BYTES) return this.refuse("431 Request Header Fields Too Large");
        this.head = joined;
        return length;
      }
      consumed = end + 4 - this.head.length;
      this.head = joined.slice(0, end);
    }
    const head = parseHead(this.head);
    this.head = "";
    if (!head) return this.refuse("400 Bad Request");
    this.closeAfterResponse = head.headers.get("connection")?.toLowerCase() === "close";
    if (head.headers.get("expect")?.toLowerCase() === "100-continue") {
      this.socket.write("HTTP/1.1 100 Continue\r\n\r\n", "latin1");
    }
    this.sink = this.onRequest(head, this, at);
    const transferEncoding = head.headers.get("transfer-encoding")?.toLowerCase();
    if (transferEncoding === "chunked") {
      this.state = State.ChunkSize;
      this.chunkSizeDigits = 0;
      this.remaining = 0;
    } else {
      this.remaining = Number(head.headers.get("content-length") ?? 0);
      if (!Number.isSafeInteger(this.remaining) || this.remaining < 0) return this.refuse("400 Bad Request");
      if (this.remaining > 0) this.state = State.FixedBody;
      else this.finishBody(new Map(), at);
    }
    return position + consumed;
  }

  private addChunkSizeDigit(byte: number): void {
    const digit = hexValue(byte);
    if (digit === -1 || ++this.chunkSizeDigits > 12) {
      this.refuse("400 Bad Request");
      return;
    }
    this.remaining = this.remaining * 16 + digit;
  }

  private endChunkSizeLine(): void {
    if (this.chunkSizeDigits === 0) {
      this.refuse("400 Bad Request");
      return;
    }
    this.chunkSizeDigits = 0;
    if (this.remaining > 0) {
      this.state = State.ChunkData;
      return;
    }
    this.state = State.Trailers;
    this.trailerText = "";
  }

  private readTrailers(buffer: Buffer, position: number, length: number, at: number): number {
    const text =
      this.trailerText + buffer.toString("latin1", position, Math.min(length, position + MAX_HEAD_BYTES));
    // The trailer section ends with an empty line: right away ("\r\n") or after the trailer lines.
    const end = text.startsWith("\r\n") ? 0 : text.indexOf("\r\n\r\n");
    if (end === -1) {
      if (text.length > MAX_HEAD_BYTES) return this.refuse("431 Request Header Fields Too Large");
      this.trailerText = text;
      return length;
    }
    const sectionEnd = end === 0 ? 2 : end + 4;
    const consumed = sectionEnd - this.trailerText.length;
    const trailers = parseFields(end === 0 ? [] : text.slice(0, end).split("\r\n"));
    this.trailerText = "";
    this.finishBody(trailers, at);
    return position + consumed;
  }

  private finishBody(trailers: ReadonlyMap<string, string>, at: number): void {
    const sink = this.sink;
    this.sink = undefined;
    this.state = State.Head;
    sink?.end(trailers, at);
  }

  private refuse(status: string): number {
    this.closeAfterResponse = true;
    this.respond(status, "", Buffer.alloc(0));
    this.socket.destroy();
    return Number.MAX_SAFE_INTEGER;
  }
}

function parseHead(text: string): RequestHead | undefined {
  const lines = text.split("\r\n");
  const [method, path, version] = (lines[0] ?? "").split(" ");
  if (!method || !path || !version?.startsWith("HTTP/1.")) return undefined;
  return { method, path, headers: parseFields(lines.slice(1)) };
}

function parseFields(lines: readonly string[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return fields;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  return -1;
}
