// Small node:http helpers the local server shares: bounded body reads, JSON replies, drain waits, cut connections.
import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";

/** Thrown by {@link readBody} when a body is larger than allowed. */
export class PayloadTooLargeError extends Error {
  override name = "PayloadTooLargeError";
  constructor(readonly limit: number) {
    super(`body exceeds ${limit} bytes`);
  }
}

/** Thrown by {@link readBody} when a body has not fully arrived in time. */
export class RequestTimeoutError extends Error {
  override name = "RequestTimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`body not received within ${timeoutMs} ms`);
  }
}

/**
 * Reads a whole request body, refusing it as soon as it passes `limit` bytes (by its `Content-Length` before
 * reading anything, or while counting a chunked body).
 * @param request The request to read.
 * @param limit Largest body accepted, in bytes.
 * @param timeoutMs Time the whole body may take to arrive; 0 for no limit. @default 0
 * @throws {PayloadTooLargeError} Past the limit; the rest of the body is left unread.
 * @throws {RequestTimeoutError} Past the time; the rest of the body is left unread.
 */
export async function readBody(request: IncomingMessage, limit: number, timeoutMs = 0): Promise<Buffer> {
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw new PayloadTooLargeError(limit);
  const reading = collectBody(request, limit);
  if (timeoutMs <= 0) return reading;
  // After a timeout the caller answers and closes the connection, which ends the read: ignore its error.
  reading.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RequestTimeoutError(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([reading, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function collectBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new PayloadTooLargeError(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/**
 * Sends a complete JSON response with a `Content-Length`.
 * @param response Where to send it.
 * @param statusCode HTTP status.
 * @param value Serialised with `JSON.stringify`.
 * @param headers Extra headers.
 */
export function sendJson(
  response: ServerResponse,
  statusCode: number,
  value: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (response.destroyed || response.writableEnded) return;
  const body = Buffer.from(JSON.stringify(value), "utf8");
  response.writeHead(statusCode, {
    ...headers,
    "Content-Type": "application/json",
    "Content-Length": String(body.length),
  });
  response.end(body);
}

/**
 * Resolves when a response can take more data again, when its connection closes, or when `signal` aborts,
 * whichever comes first.
 * @param response A response whose last `write` returned `false`.
 * @param signal Stops the wait early (e.g. a passed deadline).
 */
export async function drained(response: ServerResponse, signal: AbortSignal): Promise<void> {
  if (signal.aborted || response.destroyed) return;
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    await Promise.race([
      once(response, "drain", { signal: stop.signal }),
      once(response, "close", { signal: stop.signal }),
    ]);
  } catch {
    // Aborted: the caller checks why.
  } finally {
    signal.removeEventListener("abort", onAbort);
    stop.abort();
  }
}

/**
 * Ends a response without completing it, so the client sees a failed transfer rather than a clean (and
 * silently truncated) end: the bytes already written are flushed, then the connection closes without the
 * final chunk. A client that does not read them within `graceMs` is disconnected at once.
 * @param response The response to cut.
 * @param graceMs Time allowed to flush what was written. @default 2000
 */
export function cutConnection(response: ServerResponse, graceMs = 2000): void {
  const socket = response.socket;
  if (!socket || socket.destroyed) {
    response.destroy();
    return;
  }
  socket.end();
  setTimeout(() => socket.destroy(), graceMs).unref();
}
