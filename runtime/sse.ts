// Server-sent events: WHATWG event-stream framing, with heartbeats, for writer handlers and web Responses.
import type { LambdaResponseStreamWriter } from "./handler";

/** One server-sent event. At least one field must be set. */
export interface ServerSentEvent {
  /** The event's data. Line breaks (CRLF, CR or LF) split it into one `data:` line each. */
  data?: string;
  /** The event type (`event:`); browsers dispatch it to `addEventListener(type)`. No CR or LF. */
  event?: string;
  /** The event id (`id:`), sent back by a reconnecting browser as `Last-Event-ID`. No CR, LF or NUL. */
  id?: string;
  /** The reconnection time the client should use, in ms (`retry:`): a non-negative integer. */
  retry?: number;
}

/** How an event stream is sent. */
export interface EventStreamOptions {
  /**
   * Time without any write after which a comment line (`:`) is sent, in ms, so that API Gateway does not
   * close an idle stream (it does after 5 minutes on REGIONAL and private endpoints, 30 s on EDGE ones).
   * 0 sends none.
   * @default 15000
   */
  heartbeatMs?: number;
  /** The HTTP status. @default 200 */
  status?: number;
  /**
   * Headers sent besides `Content-Type: text/event-stream` and `Cache-Control: no-cache` (which these may
   * override).
   * @default none
   */
  headers?: Record<string, string>;
  /**
   * Ends the stream when it aborts: pass the invocation's `context.signal` (writer handlers) or
   * `request.signal` (fetch apps), so no event is sent after the deadline.
   * @default none
   */
  signal?: AbortSignal;
}

/** What an event producer writes with. */
export interface EventStreamSender {
  /**
   * Sends one event as its own write. Resolves once it is handed on (with backpressure); rejects with
   * {@link EventStreamClosedError} once the stream has ended, and with `TypeError` for an event that cannot be
   * framed (CR or LF in `event` or `id`, ...), before anything is sent.
   */
  send(event: ServerSentEvent): Promise<void>;
  /** Sends a comment (`: text`), which clients ignore; each line of `text` becomes its own comment line. */
  comment(text: string): Promise<void>;
  /** Aborts when the stream ends, for any reason: stop producing then. */
  readonly signal: AbortSignal;
}

/** Sent by {@link EventStreamSender} after its stream ended (the producer returned, the client left, the deadline). */
export class EventStreamClosedError extends Error {
  override name = "EventStreamClosedError";
}

/** Default of {@link EventStreamOptions.heartbeatMs}: half of the shortest idle timeout (EDGE, 30 s). */
export const DEFAULT_HEARTBEAT_MS = 15_000;

/** The headers every event stream has: its media type, and no caching by any cache on the way. */
// `@__PURE__`: a bundle that imports the runtime's index but not this module leaves it out.
export const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = /* @__PURE__ */ Object.freeze({
  "Content-Type": "text/event-stream",
  "Cache-Control": "no-cache",
});

/** The heartbeat: an empty comment line, then an empty line (which dispatches nothing). */
const HEARTBEAT = /* @__PURE__ */ Buffer.from(":\n\n", "utf8");
const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Frames one event as the WHATWG HTML standard's event-stream format defines it: `event:`, `id:`, `retry:`,
 * one `data:` line per line of data, then an empty line.
 * @param event The event; at least one field set.
 * @throws TypeError naming the field that cannot be framed: `event` or `id` with a line break (or `id` with
 *   NUL, which browsers ignore), `retry` that is not a non-negative integer, a field that is not a string.
 */
export function formatServerSentEvent(event: ServerSentEvent): string {
  if (typeof event !== "object" || event === null) {
    throw new TypeError(`an event must be an object like { data: "..." }, got ${describe(event)}.`);
  }
  const { data, event: type, id, retry } = event;
  let text = "";
  if (type !== undefined) text += `event: ${singleLine("event", type)}\n`;
  if (id !== undefined) {
    if (singleLine("id", id).includes("\0")) {
      throw new TypeError("event id must not contain NUL: browsers ignore such an id.");
    }
    text += `id: ${id}\n`;
  }
  if (retry !== undefined) {
    if (!Number.isSafeInteger(retry) || retry < 0) {
      throw new TypeError(`event retry must be a non-negative integer (ms), got ${describe(retry)}.`);
    }
    text += `retry: ${retry}\n`;
  }
  if (data !== undefined) {
    if (typeof data !== "string") {
      throw new TypeError(
        `event data must be a string (JSON.stringify objects first), got ${describe(data)}.`,
      );
    }
    for (const line of data.split(LINE_BREAK)) text += `data: ${line}\n`;
  }
  if (text === "") throw new TypeError("an event needs at least one of data, event, id or retry.");
  return `${text}\n`;
}

/** Frames a comment: every line of `text` starts with `:`. */
export function formatComment(text: string): string {
  if (typeof text !== "string") throw new TypeError(`a comment must be a string, got ${describe(text)}.`);
  return `${text
    .split(LINE_BREAK)
    .map((line) => `: ${line}\n`)
    .join("")}\n`;
}

/**
 * Streams server-sent events from a writer handler: sends the prelude (`text/event-stream`, no caching), runs
 * `produce`, sends a heartbeat comment whenever nothing was written for `heartbeatMs`, and finishes the
 * response when `produce` resolves. If `produce` throws, the heartbeat stops and the error propagates: the
 * runtime ends the stream with its error trailers.
 * @param writer The handler's response writer, before anything was written.
 * @param produce Sends the events; the stream ends when it settles.
 * @param options Heartbeat, status, extra headers, an abort signal; see {@link EventStreamOptions}.
 */
export async function writeEventStream(
  writer: LambdaResponseStreamWriter,
  produce: (events: EventStreamSender) => Promise<void>,
  options: EventStreamOptions = {},
): Promise<void> {
  const settings = checkOptions(options, produce);
  await writer.writeStatusAndHeaders({ statusCode: settings.status, headers: settings.headers });
  const lifetime = new StreamLifetime(settings, {
    heartbeat: () => void writer.write(HEARTBEAT).catch(() => lifetime.end()),
  });
  try {
    await produce(lifetime.sender((bytes) => writer.write(bytes)));
  } finally {
    lifetime.end();
  }
  if (!writer.finished) await writer.finish();
}

/**
 * A web `Response` streaming server-sent events, for fetch apps (`fetchHandler`, Hono, itty...): returns at
 * once, then runs `produce`, each event one chunk of the body, a heartbeat comment whenever nothing was sent
 * for `heartbeatMs`. The body ends when `produce` resolves. It fails with `produce`'s error if `produce`
 * throws, and with the signal's reason when `options.signal` aborts (`fetchHandler` then cuts the stream with
 * error trailers: a stream cut short never looks complete). When the reader cancels the body (the client
 * left), `events.signal` aborts and later sends reject with {@link EventStreamClosedError}; `produce` may let
 * that rejection through: nobody is left to tell, and it is not reported.
 * @param produce Sends the events; the stream ends when it settles.
 * @param options Heartbeat, status, extra headers, an abort signal; see {@link EventStreamOptions}.
 */
export function eventStreamResponse(
  produce: (events: EventStreamSender) => Promise<void>,
  options: EventStreamOptions = {},
): Response {
  const settings = checkOptions(options, produce);
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  /** Closed, failed or cancelled: the body takes no more chunks. */
  let settled = false;
  let waiting: Array<() => void> = [];
  const release = (): void => {
    const resolvers = waiting;
    waiting = [];
    for (const resolve of resolvers) resolve();
  };
  const settle = (error?: unknown): void => {
    if (settled) return;
    settled = true;
    lifetime.end();
    if (error === undefined) controller.close();
    else controller.error(error);
    release();
  };
  const lifetime = new StreamLifetime(settings, {
    heartbeat: () => {
      if (!settled && (controller.desiredSize ?? 0) > 0) controller.enqueue(HEARTBEAT);
    },
    aborted: (reason) => settle(reason ?? new EventStreamClosedError("the event stream was aborted.")),
  });
  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull: release,
      cancel() {
        settled = true;
        lifetime.end();
        release();
      },
    },
    { highWaterMark: 1 },
  );
  const sender = lifetime.sender((bytes) => {
    controller.enqueue(bytes);
    if ((controller.desiredSize ?? 0) > 0 || settled) return Promise.resolve();
    return new Promise<void>((resolve) => waiting.push(resolve));
  });
  if (lifetime.ended) settle(settings.signal?.reason);
  else {
    // Through a promise, so that a produce that throws at once fails the body like one that rejects.
    new Promise<void>((resolve) => resolve(produce(sender))).then(
      () => settle(),
      (error: unknown) => settle(error),
    );
  }
  return new Response(body, { status: settings.status, headers: settings.headers });
}

interface Settings {
  readonly heartbeatMs: number;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly signal: AbortSignal | undefined;
}

function checkOptions(options: EventStreamOptions, produce: unknown): Settings {
  if (typeof produce !== "function") {
    throw new TypeError(`produce must be a function (events) => Promise<void>, got ${describe(produce)}.`);
  }
  const { heartbeatMs = DEFAULT_HEARTBEAT_MS, status = 200, headers = {}, signal } = options;
  if (!Number.isSafeInteger(heartbeatMs) || heartbeatMs < 0) {
    throw new RangeError(
      `heartbeatMs must be a non-negative integer (ms; 0 sends no heartbeat), got ${describe(heartbeatMs)}.`,
    );
  }
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw new RangeError(`status must be an integer from 200 to 599, got ${describe(status)}.`);
  }
  return { heartbeatMs, status, headers: { ...EVENT_STREAM_HEADERS, ...headers }, signal };
}

/** What a stream does when its lifetime's timer fires or the caller's signal aborts. */
interface LifetimeHooks {
  /** Sends a heartbeat (the stream has been idle for `heartbeatMs`). */
  heartbeat(): void;
  /** The caller's signal aborted, with this reason. @default nothing more than ending the lifetime */
  aborted?(reason: unknown): void;
}

/**
 * What both kinds of event stream share: the end (by the producer, the reader, or the caller's signal), the
 * idle timer that sends heartbeats (unreferenced, and cleared at the end, so it never keeps a process alive),
 * and the sender handed to the producer.
 */
class StreamLifetime {
  readonly #ended = new AbortController();
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #external: AbortSignal | undefined;
  readonly #onExternalAbort: () => void;

  constructor(settings: Settings, hooks: LifetimeHooks) {
    const external = settings.signal;
    this.#external = external;
    this.#onExternalAbort = () => {
      this.end(external?.reason);
      hooks.aborted?.(external?.reason);
    };
    if (external?.aborted) {
      this.end(external.reason);
      return;
    }
    external?.addEventListener("abort", this.#onExternalAbort, { once: true });
    if (settings.heartbeatMs > 0) {
      this.#timer = setTimeout(() => {
        if (this.ended) return;
        hooks.heartbeat();
        this.#timer?.refresh();
      }, settings.heartbeatMs).unref();
    }
  }

  get ended(): boolean {
    return this.#ended.signal.aborted;
  }

  /** Ends the stream's lifetime: no more heartbeats, sends refused. Idempotent. */
  end(cause?: unknown): void {
    if (this.ended) return;
    clearTimeout(this.#timer);
    this.#external?.removeEventListener("abort", this.#onExternalAbort);
    this.#ended.abort(new EventStreamClosedError("the event stream has ended.", { cause }));
  }

  /** A sender that writes each framed event with `write`, and postpones the heartbeat after each. */
  sender(write: (bytes: Uint8Array) => Promise<void>): EventStreamSender {
    const send = (frame: () => string): Promise<void> => {
      try {
        const text = frame();
        if (this.ended) {
          throw new EventStreamClosedError(
            "the event stream has ended: stop sending when events.signal aborts.",
            { cause: this.#ended.signal.reason },
          );
        }
        this.#timer?.refresh();
        return write(Buffer.from(text, "utf8"));
      } catch (error) {
        return Promise.reject(error);
      }
    };
    return {
      send: (event) => send(() => formatServerSentEvent(event)),
      comment: (text) => send(() => formatComment(text)),
      signal: this.#ended.signal,
    };
  }
}

function singleLine(field: string, value: unknown): string {
  if (typeof value !== "string")
    throw new TypeError(`event ${field} must be a string, got ${describe(value)}.`);
  if (/[\r\n]/.test(value)) {
    throw new TypeError(
      `event ${field} must be one line: ${JSON.stringify(value)} contains CR or LF, which would end the field.`,
    );
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return String(value);
  return typeof value;
}
