// The Runtime API client: fetches invocations, sends responses (buffered or streamed) and errors.
import { RuntimeApiConnection, type RuntimeApiResponse, type StreamingRequest } from "./connection";
import { RuntimeApiError, serializeErrorPayload, type ErrorPayload } from "./errors";
import {
  bufferedResponseRequest,
  initErrorRequest,
  InvocationHeader,
  invocationErrorRequest,
  nextInvocationRequest,
  streamingResponseRequest,
  type RuntimeApiRequest,
} from "./protocol";

/** One event handed out by `GET /invocation/next`. */
export interface Invocation {
  readonly requestId: string;
  /** The event's raw bytes. */
  readonly event: Buffer;
  /** Response headers of `/next`, lower case (deadline, ARN, trace id, client context, identity). */
  readonly headers: Readonly<Record<string, string>>;
}

/** How `/next` retries while the Runtime API cannot be reached (it may still be starting). */
export interface RetryPolicy {
  /** @default 6 */
  readonly attempts: number;
  /** First pause; doubles on each attempt. @default 20 */
  readonly initialDelayMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 6, initialDelayMs: 20 };

/** Speaks the Lambda Runtime API over one keep-alive connection. */
export class RuntimeApiClient {
  readonly #connection: RuntimeApiConnection;
  readonly #retry: RetryPolicy;
  #closed = false;

  /**
   * @param address `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
   * @param retry How `/next` retries a connection that fails. @default 6 attempts, from 20 ms, doubling
   */
  constructor(
    readonly address: string,
    retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.#connection = new RuntimeApiConnection(address);
    this.#retry = retry;
  }

  /**
   * Waits for the next invocation. Connection failures are retried with backoff; a non-200 answer, or a
   * connection that keeps failing, throws {@link RuntimeApiError} naming the address and path.
   */
  async nextInvocation(): Promise<Invocation> {
    const request = nextInvocationRequest();
    let delay = this.#retry.initialDelayMs;
    for (let attempt = 1; ; attempt++) {
      let response: RuntimeApiResponse;
      try {
        response = await this.#connection.send(request);
      } catch (error) {
        if (this.#closed) throw error;
        if (attempt >= this.#retry.attempts) {
          throw new RuntimeApiError(
            `${request.path} failed ${attempt} times in a row; last: ${(error as Error).message}`,
            request.path,
            undefined,
            { cause: error },
          );
        }
        await sleep(delay);
        delay *= 2;
        continue;
      }
      expectStatus(request, response, 200);
      const requestId = response.headers[InvocationHeader.requestId];
      if (!requestId) {
        throw new RuntimeApiError(
          `the Runtime API answered ${request.path} without a ${InvocationHeader.requestId} header`,
          request.path,
          response.statusCode,
        );
      }
      return { requestId, event: response.body, headers: response.headers };
    }
  }

  /** Sends a whole (buffered) response. */
  async sendResponse(requestId: string, body: Buffer): Promise<void> {
    const request = bufferedResponseRequest(requestId, body.length);
    expectStatus(request, await this.#connection.send(request, body), 202);
  }

  /** Opens a streamed response; its head leaves with the first chunk. */
  openResponseStream(requestId: string, contentType: string): StreamingRequest {
    return this.#connection.stream(streamingResponseRequest(requestId, contentType));
  }

  /** Checks the answer to a streamed response's end. */
  checkStreamAnswer(requestId: string, response: RuntimeApiResponse): void {
    // The request is rebuilt only to name it in the error: not on every invocation's success path.
    if (response.statusCode >= 200 && response.statusCode < 300) return;
    expectStatus(streamingResponseRequest(requestId, ""), response, 202);
  }

  /** Reports that an invocation failed before any response byte was sent. */
  async sendInvocationError(requestId: string, error: ErrorPayload): Promise<void> {
    const body = Buffer.from(serializeErrorPayload(error), "utf8");
    const request = invocationErrorRequest(requestId, error.errorType, body.length);
    expectStatus(request, await this.#connection.send(request, body), 202);
  }

  /** Reports that the function could not start. */
  async sendInitError(error: ErrorPayload): Promise<void> {
    const body = Buffer.from(serializeErrorPayload(error), "utf8");
    const request = initErrorRequest(error.errorType, body.length);
    expectStatus(request, await this.#connection.send(request, body), 202);
  }

  /** Closes the connection for good (a long-poll in flight is rejected, not retried). */
  close(): void {
    this.#closed = true;
    this.#connection.close();
  }
}

/** Lambda answers 202 to responses and errors; accept any 2xx but name anything else. */
function expectStatus(request: RuntimeApiRequest, response: RuntimeApiResponse, expected: number): void {
  const ok =
    expected === 200 ? response.statusCode === 200 : response.statusCode >= 200 && response.statusCode < 300;
  if (ok) return;
  const detail = response.body.toString("utf8", 0, Math.min(response.body.length, 300)).trim();
  throw new RuntimeApiError(
    `the Runtime API answered ${request.method} ${request.path} with ${response.statusCode}` +
      (detail ? `: ${detail}` : ""),
    request.path,
    response.statusCode,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
