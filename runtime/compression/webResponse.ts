// Compresses a web Response: its body as a stream, and the headers that go with it.
import { ChunkEncoder } from "./chunkEncoder";
import { mayCompress, negotiateEncoding, withVary } from "./negotiation";
import { checkCompressionOptions, type CompressionOptions } from "./options";

/**
 * Compresses a web `Response` for `request`, streaming: the body goes through gzip or brotli (chosen by
 * {@link negotiateEncoding}), flushed after every chunk, so each chunk the app writes reaches the client as
 * soon as it would uncompressed, decodable at once. The response is returned unchanged when it has no body
 * (but for HEAD), a status without one (204, 205, 304, 1xx), a `Content-Encoding` or a `Content-Range`
 * already, `Cache-Control: no-transform`, or a media type not {@link CompressionOptions.compressible
 * compressible} (or `text/event-stream` without `eventStream`). Otherwise it gets `Vary: Accept-Encoding`,
 * and, when the client accepts an offered coding, `Content-Encoding` and no `Content-Length` (the length
 * changes). A HEAD response gets the headers its GET would, with no body. Other headers, every `Set-Cookie`
 * included, are kept.
 * @param request The request, for its `Accept-Encoding` and its method.
 * @param response The app's response.
 * @param options Codings, levels, which types; see {@link CompressionOptions}.
 * @throws RangeError or TypeError for options out of range, naming the option.
 */
export function compressResponse(
  request: Pick<Request, "headers" | "method">,
  response: Response,
  options: CompressionOptions = {},
): Response {
  const settings = checkCompressionOptions(options);
  const head = request.method === "HEAD";
  const header = (name: string): string | undefined => response.headers.get(name) ?? undefined;
  if ((response.body === null && !head) || !mayCompress(response.status, header, settings)) return response;
  const headers = copyHeaders(response.headers);
  headers.set("vary", withVary(header("vary")));
  const coding = negotiateEncoding(request.headers.get("accept-encoding"), settings.encodings);
  if (coding === undefined) return replaceHeaders(response, headers, response.body);
  headers.set("content-encoding", coding);
  headers.delete("content-length");
  if (head || response.body === null) {
    cancelUnsent(response.body);
    return replaceHeaders(response, headers, null);
  }
  const encoder = new ChunkEncoder(coding, settings);
  const body = (response.body as ReadableStream<Uint8Array>).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      async transform(chunk, controller) {
        const out = await encoder.encode(chunk);
        if (out.length > 0) controller.enqueue(out);
      },
      async flush(controller) {
        const out = await encoder.end();
        if (out.length > 0) controller.enqueue(out);
      },
      cancel() {
        encoder.destroy();
      },
    }),
  );
  return replaceHeaders(response, headers, body);
}

/** The headers of a fetch `Response` (Node's, from undici). */
type FetchHeaders = Response["headers"];

/** A mutable copy: every entry, each `Set-Cookie` on its own. */
function copyHeaders(source: FetchHeaders): FetchHeaders {
  const headers = new Headers();
  source.forEach((value, name) => headers.append(name, value));
  return headers;
}

/** Cancels a body that will not be sent (a HEAD response's), so its producer stops. */
function cancelUnsent(body: ReadableStream<Uint8Array> | null): void {
  body?.cancel().catch(() => undefined);
}

function replaceHeaders(
  response: Response,
  headers: FetchHeaders,
  body: ReadableStream<Uint8Array> | null,
): Response {
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}
