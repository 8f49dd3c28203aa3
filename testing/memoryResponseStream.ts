// A streamed `/response` kept in memory: what API Gateway reads from Lambda, readable as the handler writes it.
import type { RuntimeApiResponse, StreamingRequest } from "../runtime/connection";
import { InvalidResponseError, type StreamingLambdaStatusAndHeadersResponse } from "../runtime/prelude";
import { HTTP_INTEGRATION_CONTENT_TYPE } from "../runtime/protocol";
import { PreludeParser } from "../local/gateway/preludeParser";
import { errorFromTrailers } from "../local/runtimeApi/functionErrors";
import { StreamInterruptedError, type FunctionErrorReport } from "../local/runtimeApi/invocation";

/** Bytes the body may hold unread before the handler's writes wait: the runtime's own socket allowance. */
export const MEMORY_STREAM_HIGH_WATER_MARK = 1024 * 1024;

/** What the start of a streamed response says, once it is known. */
export type StreamStart =
  /** Status and headers (from the prelude, if any) are known: the body follows. */
  | { readonly kind: "streaming"; readonly prelude: StreamingLambdaStatusAndHeadersResponse | undefined }
  /** The stream ended before a usable start: error trailers, or a prelude without its delimiter. */
  | { readonly kind: "failed"; readonly error: FunctionErrorReport };

/** The Runtime API's answer to a streamed response that ended. */
const ACCEPTED: RuntimeApiResponse = { statusCode: 202, headers: {}, body: Buffer.alloc(0) };

/**
 * One streamed response, as the runtime's `ResponseStream` writes it and API Gateway reads it: the prelude is
 * split off (when the content type announces one), the rest of the bytes become {@link body}, readable chunk
 * by chunk as they are written; error trailers make that body fail with a {@link StreamInterruptedError}, the
 * in-memory form of a cut transfer. Writes report backpressure once {@link MEMORY_STREAM_HIGH_WATER_MARK}
 * bytes wait unread, as a socket would. A body nobody will read is {@link discard}ed, so the handler is never
 * held up by it.
 */
export class MemoryResponseStream implements StreamingRequest {
  /** The body after the prelude. */
  readonly body: ReadableStream<Uint8Array>;
  readonly response: Promise<RuntimeApiResponse> = Promise.resolve(ACCEPTED);

  readonly #parser: PreludeParser | undefined;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #started = false;
  readonly #onStart: (start: StreamStart) => void;
  #ended = false;
  #discarding = false;
  #waiting: (() => void)[] = [];

  /**
   * @param contentType The content type the runtime opened the stream with.
   * @param onStart Told once, synchronously, of the stream's start: at the prelude's end, the first body
   *   byte, or the end of the stream, whichever comes first.
   */
  constructor(contentType: string, onStart: (start: StreamStart) => void) {
    this.#onStart = onStart;
    this.#parser = contentType.toLowerCase().startsWith(HTTP_INTEGRATION_CONTENT_TYPE)
      ? new PreludeParser()
      : undefined;
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        pull: () => this.#wake(),
        cancel: () => this.discard(),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: MEMORY_STREAM_HIGH_WATER_MARK }),
    );
  }

  write(chunk: Uint8Array): boolean {
    if (this.#ended) throw new Error("write after the streamed response ended");
    // A copy: the handler may reuse its buffer once the write resolved, as a socket has taken it by then.
    const bytes = Buffer.from(chunk);
    if (!this.#started && this.#parser) {
      let parsed;
      try {
        parsed = this.#parser.push(bytes);
      } catch (error) {
        if (!(error instanceof InvalidResponseError)) throw error;
        this.#fail({ errorType: "Runtime.InvalidPrelude", errorMessage: error.message });
        return true;
      }
      if (!parsed) return true;
      this.#begin(parsed.prelude);
      return this.#enqueue(parsed.rest);
    }
    this.#begin(undefined);
    return this.#enqueue(bytes);
  }

  drained(): Promise<void> {
    if (this.#hasRoom()) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  end(trailers?: Readonly<Record<string, string>>): Promise<RuntimeApiResponse> {
    if (this.#ended) throw new Error("the streamed response was already ended");
    const lowerCased = Object.fromEntries(
      Object.entries(trailers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
    );
    const error = errorFromTrailers(lowerCased);
    if (!this.#started) {
      if (error) this.#fail(error);
      else if (this.#parser) {
        this.#fail({
          errorType: "Runtime.InvalidPrelude",
          errorMessage: "The response ended before the prelude's 8-NUL delimiter.",
        });
      } else this.#begin(undefined);
    }
    this.#ended = true;
    if (this.#discarding) return this.response;
    if (error) {
      this.#controller.error(
        new StreamInterruptedError("function-error", `${error.errorType}: ${error.errorMessage}`, error),
      );
    } else {
      this.#controller.close();
    }
    return this.response;
  }

  /** Drops the body from now on (nobody reads it): writes never wait, bytes are thrown away. */
  discard(): void {
    if (this.#discarding) return;
    this.#discarding = true;
    if (!this.#ended) {
      try {
        this.#controller.close();
      } catch {
        // Cancelled by its reader: already closed.
      }
    }
    this.#wake();
  }

  #begin(prelude: StreamingLambdaStatusAndHeadersResponse | undefined): void {
    if (this.#started) return;
    this.#started = true;
    this.#onStart({ kind: "streaming", prelude });
  }

  /** The stream cannot be answered as a response: what follows it is dropped. */
  #fail(error: FunctionErrorReport): void {
    this.#started = true;
    this.#onStart({ kind: "failed", error });
    this.discard();
  }

  #enqueue(bytes: Buffer): boolean {
    if (this.#discarding) return true;
    if (bytes.length > 0) this.#controller.enqueue(bytes);
    return this.#hasRoom();
  }

  #hasRoom(): boolean {
    return this.#discarding || (this.#controller.desiredSize ?? 0) > 0;
  }

  #wake(): void {
    if (!this.#hasRoom()) return;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resolve of waiting) resolve();
  }
}
