// Server-sent events: framing (checked against a parser written from the WHATWG standard), heartbeats, both styles.
import { expect } from "chai";
import fc from "fast-check";
import {
  EventStreamClosedError,
  eventStreamResponse,
  formatComment,
  formatServerSentEvent,
  writeEventStream,
  type EventStreamSender,
  type ServerSentEvent,
} from "../../runtime/sse";
import type { LambdaResponseStreamWriter, ResponseChunk } from "../../runtime/handler";
import type { StreamingLambdaStatusAndHeadersResponse } from "../../runtime/prelude";
import { ResponseStreamStateError } from "../../runtime/errors";
import { clientRequest, runRuntimeOn, startTestServer, type TestServer } from "../local/harness";
import type { LambdaRuntime } from "../../runtime";

/** An event as an EventSource dispatches it. */
interface Dispatched {
  type: string;
  data: string;
  lastEventId: string;
}

/**
 * Parses an event stream as the WHATWG HTML standard's "event stream interpretation" does (section 9.2.6),
 * written from the standard, independently of the code under test. Returns the dispatched events, the last
 * `retry` value and the number of comment lines.
 */
function parseEventStream(text: string): { events: Dispatched[]; retry?: number; comments: number } {
  const events: Dispatched[] = [];
  let data = "";
  let type = "";
  let idBuffer = "";
  let retry: number | undefined;
  let comments = 0;
  const lines = text.split(/\r\n|\r|\n/);
  lines.pop(); // the text after the last line break is an incomplete line
  for (const line of lines) {
    if (line === "") {
      // Dispatch: the last event id becomes the id buffer's value.
      if (data === "") {
        type = "";
        continue;
      }
      if (data.endsWith("\n")) data = data.slice(0, -1);
      events.push({ type: type || "message", data, lastEventId: idBuffer });
      data = "";
      type = "";
      continue;
    }
    if (line.startsWith(":")) {
      comments++;
      continue;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") type = value;
    else if (field === "data") data += `${value}\n`;
    else if (field === "id" && !value.includes("\0")) idBuffer = value;
    else if (field === "retry" && /^[0-9]+$/.test(value)) retry = Number(value);
  }
  return { events, ...(retry === undefined ? {} : { retry }), comments };
}

/** A response writer that records every call, for asserting what was written and in how many writes. */
class RecordingWriter implements LambdaResponseStreamWriter {
  prelude: StreamingLambdaStatusAndHeadersResponse | undefined;
  readonly writes: string[] = [];
  finished = false;
  #watchers: Array<() => void> = [];

  async writeStatusAndHeaders(response: StreamingLambdaStatusAndHeadersResponse): Promise<void> {
    this.prelude = response;
  }
  async write(chunk: ResponseChunk): Promise<void> {
    if (this.finished) throw new ResponseStreamStateError("write after finish");
    this.writes.push(Buffer.from(chunk).toString("utf8"));
    for (const watcher of this.#watchers) watcher();
  }
  async pipe(): Promise<void> {
    throw new Error("not used");
  }
  async finish(): Promise<void> {
    this.finished = true;
  }
  async writeAndFinish(chunk: ResponseChunk): Promise<void> {
    await this.write(chunk);
    await this.finish();
  }
  /** Resolves once a write satisfies `condition` (already made or still to come). */
  until(condition: (writes: readonly string[]) => boolean): Promise<void> {
    if (condition(this.writes)) return Promise.resolve();
    return new Promise((resolve) => {
      const watcher = (): void => {
        if (!condition(this.writes)) return;
        this.#watchers = this.#watchers.filter((w) => w !== watcher);
        resolve();
      };
      this.#watchers.push(watcher);
    });
  }
}

/**
 * Records the timers created while `run` runs (by wrapping the global setTimeout), and which were cleared,
 * so a test can prove that no heartbeat timer is left behind.
 */
async function watchTimers<T>(
  run: () => Promise<T>,
): Promise<{ result: T; created: NodeJS.Timeout[]; cleared: Set<unknown> }> {
  const created: NodeJS.Timeout[] = [];
  const cleared = new Set<unknown>();
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    const timer = realSetTimeout(...args);
    created.push(timer);
    return timer;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((timer: NodeJS.Timeout | undefined) => {
    cleared.add(timer);
    realClearTimeout(timer);
  }) as typeof clearTimeout;
  try {
    return { result: await run(), created, cleared };
  } finally {
    globalThis.setTimeout = realSetTimeout;
    globalThis.clearTimeout = realClearTimeout;
  }
}

/** Any text, with line breaks of every kind mixed in. */
const textWithBreaks = fc
  .array(fc.oneof(fc.string({ unit: "grapheme", maxLength: 6 }), fc.constantFrom("\n", "\r", "\r\n")), {
    maxLength: 8,
  })
  .map((parts) => parts.join(""));
const oneLine = fc.string({ unit: "grapheme", maxLength: 10 }).filter((s) => !/[\r\n\0]/.test(s));

describe("formatServerSentEvent", () => {
  it("frames event, id, retry and one data line per line, then an empty line", () => {
    expect(formatServerSentEvent({ event: "update", id: "7", retry: 3000, data: "a\nb\r\nc\rd" })).to.equal(
      "event: update\nid: 7\nretry: 3000\ndata: a\ndata: b\ndata: c\ndata: d\n\n",
    );
    expect(formatServerSentEvent({ data: "" })).to.equal("data: \n\n");
    expect(formatServerSentEvent({ data: " leading space" })).to.equal("data:  leading space\n\n");
    expect(formatComment("one\ntwo")).to.equal(": one\n: two\n\n");
  });

  it("refuses what cannot be framed, naming the field", () => {
    expect(() => formatServerSentEvent({ event: "a\nb", data: "x" })).to.throw(TypeError, /event event/);
    expect(() => formatServerSentEvent({ id: "1\r", data: "x" })).to.throw(TypeError, /event id .*CR or LF/);
    expect(() => formatServerSentEvent({ id: "a\0b" })).to.throw(TypeError, /NUL/);
    expect(() => formatServerSentEvent({ retry: -1 })).to.throw(TypeError, /retry/);
    expect(() => formatServerSentEvent({ retry: 1.5 })).to.throw(TypeError, /retry/);
    expect(() => formatServerSentEvent({ data: { a: 1 } as unknown as string })).to.throw(
      TypeError,
      /data must be a string .*JSON.stringify/,
    );
    expect(() => formatServerSentEvent({})).to.throw(TypeError, /at least one of/);
    expect(() => formatServerSentEvent(null as unknown as ServerSentEvent)).to.throw(TypeError, /object/);
  });

  it("is read back by a WHATWG parser as sent: data (line breaks as LF), type, id, retry", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record(
            {
              data: textWithBreaks,
              event: oneLine.filter((s) => s !== ""),
              id: oneLine,
              retry: fc.nat(),
            },
            { requiredKeys: ["data"] },
          ),
          { minLength: 1, maxLength: 5 },
        ),
        (events) => {
          const parsed = parseEventStream(events.map(formatServerSentEvent).join(""));
          let lastId = "";
          expect(parsed.events).to.deep.equal(
            events.map((event) => {
              lastId = event.id ?? lastId;
              return {
                type: event.event ?? "message",
                data: event.data.replace(/\r\n|\r/g, "\n"),
                lastEventId: lastId,
              };
            }),
          );
          const retries = events.filter((e) => e.retry !== undefined);
          expect(parsed.retry).to.equal(retries[retries.length - 1]?.retry);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("writeEventStream (writer handlers)", () => {
  it("sends the prelude, then each event as its own write, then finishes", async () => {
    const writer = new RecordingWriter();
    await writeEventStream(
      writer,
      async (events) => {
        await events.send({ data: "one" });
        await events.send({ event: "two", data: "2\n2" });
        await events.comment("note");
      },
      { heartbeatMs: 0, headers: { "X-Accel-Buffering": "no" } },
    );
    expect(writer.prelude).to.deep.equal({
      statusCode: 200,
      headers: {
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-cache",
        "X-Accel-Buffering": "no",
      },
    });
    expect(writer.writes).to.deep.equal(["data: one\n\n", "event: two\ndata: 2\ndata: 2\n\n", ": note\n\n"]);
    expect(writer.finished).to.equal(true);
  });

  it("sends heartbeats while idle, and leaves no timer behind (unreferenced, then cleared)", async () => {
    const writer = new RecordingWriter();
    const { created, cleared } = await watchTimers(() =>
      writeEventStream(
        writer,
        async (events) => {
          await events.send({ data: "start" });
          // Idle until two heartbeats went out: the timer re-arms after each.
          await writer.until((writes) => writes.filter((w) => w === ":\n\n").length >= 2);
          await events.send({ data: "end" });
        },
        { heartbeatMs: 5 },
      ),
    );
    expect(writer.writes[0]).to.equal("data: start\n\n");
    expect(writer.writes[writer.writes.length - 1]).to.equal("data: end\n\n");
    const heartbeats = created.filter((timer) => timer.hasRef() === false);
    expect(heartbeats, "the heartbeat timer").to.have.length(1);
    expect(
      created.every((timer) => cleared.has(timer)),
      "every timer cleared",
    ).to.equal(true);
  });

  it("stops the heartbeat and passes the error on when the producer throws", async () => {
    const writer = new RecordingWriter();
    const failure = new Error("upstream failed");
    let caught: unknown;
    const { created, cleared } = await watchTimers(() =>
      writeEventStream(
        writer,
        async (events) => {
          await events.send({ data: "partial" });
          throw failure;
        },
        { heartbeatMs: 60_000 },
      ).catch((error: unknown) => (caught = error)),
    );
    expect(caught).to.equal(failure);
    expect(writer.finished).to.equal(false);
    expect(created.every((timer) => cleared.has(timer))).to.equal(true);
  });

  it("refuses sends after the caller's signal aborted, and bad options before writing", async () => {
    const writer = new RecordingWriter();
    const deadline = new AbortController();
    let refused: unknown;
    await writeEventStream(
      writer,
      async (events) => {
        await events.send({ data: "before" });
        deadline.abort(new Error("deadline"));
        expect(events.signal.aborted).to.equal(true);
        refused = await events.send({ data: "after" }).catch((error: unknown) => error);
      },
      { signal: deadline.signal },
    );
    expect(refused).to.be.instanceOf(EventStreamClosedError);
    expect(writer.writes).to.deep.equal(["data: before\n\n"]);
    for (const [options, pattern] of [
      [{ heartbeatMs: -1 }, /heartbeatMs/],
      [{ heartbeatMs: 1.5 }, /heartbeatMs/],
      [{ status: 99 }, /status/],
    ] as const) {
      const fresh = new RecordingWriter();
      const error = await writeEventStream(fresh, async () => undefined, options).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(RangeError).with.property("message").that.matches(pattern);
      expect(fresh.prelude).to.equal(undefined);
    }
  });
});

describe("eventStreamResponse (fetch apps)", () => {
  /** Reads the next chunk of `reader` as text. */
  async function nextChunk(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string | undefined> {
    const { value, done } = await reader.read();
    return done ? undefined : Buffer.from(value).toString("utf8");
  }

  it("returns a text/event-stream Response whose body yields one chunk per event, with backpressure", async () => {
    let secondSent = false;
    const response = eventStreamResponse(
      async (events) => {
        await events.send({ id: "1", data: "first" });
        await events.send({ data: "second" });
        secondSent = true;
      },
      { heartbeatMs: 0 },
    );
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.equal("text/event-stream");
    expect(response.headers.get("cache-control")).to.equal("no-cache");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(await nextChunk(reader)).to.equal("id: 1\ndata: first\n\n");
    await new Promise((resolve) => setImmediate(resolve));
    expect(secondSent, "the second send waits until its chunk is read").to.equal(false);
    expect(await nextChunk(reader)).to.equal("data: second\n\n");
    expect(await nextChunk(reader)).to.equal(undefined);
    expect(secondSent).to.equal(true);
  });

  it("sends heartbeats while idle and clears its timer when the body ends", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const {
      result: chunks,
      created,
      cleared,
    } = await watchTimers(async () => {
      const response = eventStreamResponse(
        async (events) => {
          await events.send({ data: "a" });
          await released;
        },
        { heartbeatMs: 5 },
      );
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const seen = [await nextChunk(reader), await nextChunk(reader)];
      release();
      seen.push(await nextChunk(reader));
      return seen;
    });
    expect(chunks).to.deep.equal(["data: a\n\n", ":\n\n", undefined]);
    expect(created.filter((timer) => !timer.hasRef())).to.have.length(1);
    expect(created.every((timer) => cleared.has(timer))).to.equal(true);
  });

  it("when the reader cancels: aborts events.signal, refuses sends, reports nothing", async () => {
    let sender!: EventStreamSender;
    let producerError: unknown;
    let producerDone!: () => void;
    const done = new Promise<void>((resolve) => (producerDone = resolve));
    const response = eventStreamResponse(async (events) => {
      sender = events;
      await events.send({ data: "x" });
      await new Promise((resolve) => events.signal.addEventListener("abort", resolve));
      producerError = await events.send({ data: "too late" }).catch((error: unknown) => error);
      producerDone();
      await events.send({ data: "let through" }); // rejects; must not become an unhandled rejection
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(await nextChunk(reader)).to.equal("data: x\n\n");
    await reader.cancel();
    await done;
    expect(sender.signal.aborted).to.equal(true);
    expect(producerError).to.be.instanceOf(EventStreamClosedError);
  });

  it("fails the body with the producer's error, or with the caller's signal's reason", async () => {
    const failure = new Error("model failed");
    const failing = eventStreamResponse(async (events) => {
      await events.send({ data: "partial" });
      throw failure;
    });
    const reader = (failing.body as ReadableStream<Uint8Array>).getReader();
    expect(await nextChunk(reader)).to.equal("data: partial\n\n");
    expect(await reader.read().catch((error: unknown) => error)).to.equal(failure);

    const deadline = new AbortController();
    const stalled = eventStreamResponse(() => new Promise<void>(() => undefined), {
      signal: deadline.signal,
    });
    const stalledReader = (stalled.body as ReadableStream<Uint8Array>).getReader();
    const reading = stalledReader.read().catch((error: unknown) => error);
    deadline.abort(new Error("deadline passed"));
    expect(await reading).to.have.property("message", "deadline passed");
  });

  it("refuses a producer that is not a function", () => {
    expect(() => eventStreamResponse("nope" as never)).to.throw(TypeError, /produce must be a function/);
  });
});

describe("server-sent events through the local server (writer handler)", () => {
  let t: TestServer;
  let runtime: LambdaRuntime;
  let running: Promise<void>;
  let clientGotFirst!: () => void;
  let firstSeen: Promise<void>;

  before(async () => {
    t = await startTestServer({ route: "/events" });
    ({ runtime, running } = runRuntimeOn(t, (_event, writer, context) =>
      writeEventStream(
        writer,
        async (events) => {
          await events.send({ event: "tick", id: "1", data: "first" });
          // The second event is sent only once the client has received the first: events stream one by one.
          await firstSeen;
          await events.send({ event: "tick", id: "2", data: "second\nline" });
        },
        { signal: context.signal },
      ),
    ));
  });

  after(async () => {
    runtime.stop();
    await t.server.close();
    await running;
  });

  it("delivers each event as it is sent, with the event-stream headers", async () => {
    firstSeen = new Promise((resolve) => (clientGotFirst = resolve));
    let received = "";
    const result = await clientRequest(t, {
      path: "/events",
      onData: (data) => {
        received += data.toString("utf8");
        if (received.includes("data: first\n\n")) clientGotFirst();
      },
    });
    expect(result.status).to.equal(200);
    expect(result.headers["content-type"]).to.equal("text/event-stream");
    expect(result.headers["cache-control"]).to.equal("no-cache");
    expect(result.complete).to.equal(true);
    expect(parseEventStream(result.body.toString("utf8")).events).to.deep.equal([
      { type: "tick", data: "first", lastEventId: "1" },
      { type: "tick", data: "second\nline", lastEventId: "2" },
    ]);
  });
});
