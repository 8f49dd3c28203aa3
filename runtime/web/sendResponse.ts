// Sends a web `Response` through a response writer: the prelude at once, then each body chunk as it comes.
import type { LambdaResponseStreamWriter } from "../handler";
import { responseToPrelude } from "./responseToPrelude";

/** How {@link sendResponse} sends the response. */
export interface SendResponseOptions {
  /** Send the status and headers only (the answer to a HEAD request); the body is cancelled. @default false */
  withoutBody?: boolean;
  /**
   * The invocation's deadline: when it aborts, the body is cancelled and the send fails with its reason, so the
   * response is never finished as if it were complete. @default none
   */
  signal?: AbortSignal;
}

/**
 * Sends `response` through `writer`: its status and headers (see `responseToPrelude`) at once, even when the
 * body is empty or absent, so 204, 304 and redirects keep them; then each chunk the body yields, as soon as it
 * yields it, waiting for the writer to take it before reading the next (backpressure); then `finish()`.
 *
 * Errors: a prelude the writer refuses (a header value with a control character) throws before anything is
 * sent. An error from the body stream, or from the writer, cancels the body and propagates, so the runtime ends
 * the started stream with error trailers: the client sees a cut transfer, never a truncated success.
 * @param response The app's response.
 * @param writer The invocation's response writer.
 * @param options HEAD handling and the deadline; see {@link SendResponseOptions}.
 */
export async function sendResponse(
  response: Response,
  writer: LambdaResponseStreamWriter,
  options: SendResponseOptions = {},
): Promise<void> {
  const { signal } = options;
  const prelude = responseToPrelude(response);
  const body = response.body;
  if (!body || options.withoutBody) {
    // The app's cancel() runs now; the prelude does not wait for it to settle.
    body?.cancel().catch(() => undefined);
    await writer.writeStatusAndHeaders(prelude);
    await writer.finish();
    return;
  }
  const reader = body.getReader();
  const onAbort = (): void => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    signal?.throwIfAborted();
    await writer.writeStatusAndHeaders(prelude);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await writer.write(bodyChunk(value));
    }
    // A body cut short by the deadline ends like a complete one: it must not be finished as one.
    signal?.throwIfAborted();
  } catch (error) {
    // Stops the app's producer; does nothing to a stream that failed by itself.
    reader.cancel(error).catch(() => undefined);
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  await writer.finish();
}

/** A body chunk as the writer takes it; a stream of anything else is the app's mistake, named. */
function bodyChunk(value: unknown): Uint8Array | string {
  if (value instanceof Uint8Array || typeof value === "string") return value;
  const kind = value === null ? "null" : typeof value === "object" ? value.constructor?.name : typeof value;
  throw new TypeError(
    `the Response body stream yielded a chunk of type ${kind ?? "object"}; a body stream must yield Uint8Array ` +
      "chunks (encode text with TextEncoder, or build the Response from a string).",
  );
}
