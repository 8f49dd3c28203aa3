// The response writer handed to streaming handlers: a state machine over one streamed Runtime API request.
import type { RuntimeApiResponse, StreamingRequest } from "./connection";
import {
  headerSafeErrorType,
  ResponseStreamStateError,
  serializeErrorPayload,
  toErrorPayload,
} from "./errors";
import type { LambdaResponseStreamWriter, ResponseBody, ResponseChunk } from "./handler";
import type { PreludeHook } from "./cors";
import { encodePrelude, validatePrelude, type StreamingLambdaStatusAndHeadersResponse } from "./prelude";
import { HTTP_INTEGRATION_CONTENT_TYPE, OCTET_STREAM_CONTENT_TYPE, ResponseHeader } from "./protocol";

const RESOLVED: Promise<void> = Promise.resolve();

/** Opens the underlying streamed request with the given content type. */
export type OpenStream = (contentType: string) => StreamingRequest;

type State =
  /** Nothing sent yet: an error can still go to `/error`. */
  | "idle"
  /** Bytes were sent: errors must go out as trailers. */
  | "streaming"
  /** `finish` was called. */
  | "finished"
  /** Failed with trailers, handed over to `/error`, or the connection broke. No more writes. */
  | "closed";

/**
 * Implements {@link LambdaResponseStreamWriter}. The request to the Runtime API is opened on the first byte
 * (prelude or body), so an error before that can still be reported on `/error` with nothing half-sent.
 */
export class ResponseStream implements LambdaResponseStreamWriter {
  #state: State = "idle";
  #preludeSent = false;
  #request: StreamingRequest | undefined;
  #answer: Promise<RuntimeApiResponse> | undefined;

  readonly #open: OpenStream;
  readonly #completePrelude: PreludeHook | undefined;

  /**
   * @param open Opens the streamed request, with the content type its first byte calls for.
   * @param completePrelude Completes the prelude before it is sent (the CORS headers), and may give a response
   *   started without one a prelude. @default none: preludes go as the handler wrote them
   */
  constructor(open: OpenStream, completePrelude?: PreludeHook) {
    this.#open = open;
    this.#completePrelude = completePrelude;
  }

  /** Whether any byte has been handed to the Runtime API connection. */
  get started(): boolean {
    return this.#request !== undefined;
  }

  get finished(): boolean {
    return this.#state === "finished";
  }

  /** Whether the stream can still take bytes. */
  get writable(): boolean {
    return this.#state === "idle" || this.#state === "streaming";
  }

  writeStatusAndHeaders(response: StreamingLambdaStatusAndHeadersResponse): Promise<void> {
    try {
      this.#assertWritable("writeStatusAndHeaders");
      if (this.#preludeSent) {
        throw new ResponseStreamStateError(
          "writeStatusAndHeaders was already called: status and headers go once.",
        );
      }
      if (this.started) {
        throw new ResponseStreamStateError(
          "writeStatusAndHeaders must come before the first body byte: the body has already started.",
        );
      }
      const prelude = encodePrelude(this.#completed(response));
      this.#preludeSent = true;
      return this.#send(prelude, HTTP_INTEGRATION_CONTENT_TYPE);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  write(chunk: ResponseChunk): Promise<void> {
    try {
      this.#assertWritable("write");
      const bytes = toBytes(chunk, "write");
      if (bytes.length === 0) return Promise.resolve();
      return this.#send(bytes, OCTET_STREAM_CONTENT_TYPE);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async pipe(body: ResponseBody): Promise<void> {
    this.#assertWritable("pipe");
    for await (const chunk of body as AsyncIterable<ResponseChunk>) {
      await this.write(chunk);
    }
  }

  finish(): Promise<void> {
    try {
      this.#assertWritable("finish");
      this.#state = "finished";
      this.#answer = this.#requestFor(OCTET_STREAM_CONTENT_TYPE).end();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  writeAndFinish(chunk: ResponseChunk): Promise<void> {
    try {
      this.#assertWritable("writeAndFinish");
      const bytes = toBytes(chunk, "writeAndFinish");
      if (bytes.length > 0) this.#requestFor(OCTET_STREAM_CONTENT_TYPE).write(bytes);
      return this.finish();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Ends a started stream with error trailers (type, and the base64 JSON error), so the Runtime API and
   * the client see a failure, never a truncated success. Only valid once bytes were sent.
   */
  fail(error: unknown): void {
    if (!this.#request || !this.writable) {
      throw new ResponseStreamStateError("fail() applies to a stream that has started and not ended.");
    }
    this.#state = "closed";
    const payload = toErrorPayload(error);
    this.#answer = this.#request.end({
      [ResponseHeader.errorType]: headerSafeErrorType(payload.errorType),
      [ResponseHeader.errorBody]: Buffer.from(serializeErrorPayload(payload), "utf8").toString("base64"),
    });
  }

  /** Refuses further writes (the invocation was reported on `/error`, or has timed out). */
  close(): void {
    if (this.writable) this.#state = "closed";
  }

  /** The Runtime API's answer to the streamed request, once it was ended; undefined if never ended. */
  get result(): Promise<RuntimeApiResponse> | undefined {
    return this.#answer;
  }

  /** Hands bytes to the socket; the hot path (no backpressure) allocates no promise. */
  #send(bytes: Uint8Array, contentType: string): Promise<void> {
    const request = this.#requestFor(contentType);
    this.#state = "streaming";
    try {
      if (request.write(bytes)) return RESOLVED;
    } catch (error) {
      this.#state = "closed";
      return Promise.reject(error);
    }
    return request.drained().catch((error: unknown) => {
      this.#state = "closed";
      throw error;
    });
  }

  #requestFor(contentType: string): StreamingRequest {
    if (this.#request) return this.#request;
    const implicit = this.#preludeSent ? undefined : this.#completePrelude?.(undefined);
    if (implicit === undefined) {
      this.#request = this.#open(contentType);
      return this.#request;
    }
    // A response started without a prelude gets the one the hook gives it, ahead of its first body byte.
    this.#preludeSent = true;
    this.#request = this.#open(HTTP_INTEGRATION_CONTENT_TYPE);
    this.#request.write(encodePrelude(implicit));
    return this.#request;
  }

  /** The prelude as it will be sent: the handler's, checked first, then completed by the hook. */
  #completed(response: StreamingLambdaStatusAndHeadersResponse): StreamingLambdaStatusAndHeadersResponse {
    if (!this.#completePrelude) return response;
    validatePrelude(response);
    return this.#completePrelude(response) ?? response;
  }

  #assertWritable(operation: string): void {
    if (this.#state === "finished") {
      throw new ResponseStreamStateError(`${operation} after finish: the response has already ended.`);
    }
    if (this.#state === "closed") {
      throw new ResponseStreamStateError(
        `${operation} after the response was closed (it failed or timed out).`,
      );
    }
  }
}

function toBytes(chunk: ResponseChunk, operation: string): Uint8Array {
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  if (chunk instanceof Uint8Array) return chunk;
  const kind = chunk === null ? "null" : typeof chunk;
  throw new TypeError(`${operation}(chunk): chunk must be a string or a Uint8Array (Buffer), got ${kind}.`);
}
