// Fault injection on the Runtime API side: drops, error answers, garbage, a stalled reader, odd headers and events.
import { expect } from "chai";
import { createHash } from "node:crypto";
import { once } from "node:events";
import * as net from "node:net";
import * as path from "node:path";
import { buffered, LambdaRuntime, type LambdaResponseStreamWriter } from "../../runtime";
import { bundleHandler } from "../helpers/childRuntime";
import { isNext, isReplyTo, type FakeRuntimeApi } from "../helpers/fakeRuntimeApi";
import { LAMBDA_ENV, startHarness, stopAllHarnesses } from "../helpers/runtimeHarness";
import { scenarioGroup } from "./scenarioTable";
import {
  AFTER,
  childRuntimes,
  describeReplies,
  echo,
  enqueueVictimThenAfter,
  expectNoCleanSuccess,
  expectServedAfter,
  VICTIM,
  victimThenEcho,
} from "./runtimeUnderTest";

const scenario = scenarioGroup("Runtime API");
const KiB = 1024;
const MiB = 1024 * KiB;
/** How long the backpressure scenario keeps the fake from reading before it checks the handler. */
const STALL_WINDOW_MS = 300;
/**
 * How far the handler may get ahead of what the fake received while the fake does not read: the runtime's
 * 1 MiB high-water mark plus the kernel's socket buffers (about 9 MiB in all on loopback here). Without
 * backpressure a 64 MiB stream would get 63 MiB ahead.
 */
const MOST_AHEAD = 24 * MiB;

/** A victim that streams `count` chunks of `size` bytes, yielding to the event loop between them. */
function streamChunks(count: number, size: number) {
  return async (_event: Buffer, writer: LambdaResponseStreamWriter): Promise<void> => {
    await writer.writeStatusAndHeaders({ statusCode: 200 });
    for (let i = 0; i < count; i++) {
      await writer.write(Buffer.alloc(size, 0x61 + (i % 26)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writer.finish();
  };
}

/** The runtime's log lines that mention the victim, joined. */
function victimLog(logs: readonly string[]): string {
  return logs.filter((line) => line.includes(`] ${VICTIM}:`)).join("\n");
}

describe("fault injection: the Runtime API misbehaves", () => {
  afterEach(stopAllHarnesses);

  describe("dropped and refused connections", () => {
    scenario(
      "connection dropped while waiting on /next",
      "runtime reconnects and serves the next invocation",
      async (observe) => {
        const { api, fatal } = await startHarness(echo);
        await api.until(() => api.pollWaiting, "a waiting /next poll");
        const dropped = api.dropWaitingPolls();
        api.enqueue({ requestId: AFTER, event: JSON.stringify(AFTER) });
        const served = await expectServedAfter(api);
        observe(`${dropped} poll dropped; reconnected (${api.connections} connections); ${served}`);
        expect(dropped).to.equal(1);
        expect(api.connections).to.equal(2);
        expect(fatal).to.deep.equal([]);
      },
    );

    scenario(
      "connection dropped on the streamed response's head",
      "handler's next write rejects; logged; never a clean end; next served",
      async (observe) => {
        const { api, logs } = await startHarness(victimThenEcho(streamChunks(5, 100)), (api) => {
          api.inject(isReplyTo(VICTIM, "response"), { kind: "drop", at: "head" });
          enqueueVictimThenAfter(api);
        });
        const served = await expectServedAfter(api);
        const log = victimLog(logs);
        observe(`${describeReplies(api, VICTIM)}; log: "${firstLine(log)}"; ${served}`);
        expectNoCleanSuccess(api);
        expect(log).to.match(
          /handler failed after the response stream broke: RuntimeApiError: connection to the Runtime API closed while streaming/,
        );
      },
    );

    scenario(
      "connection dropped mid-stream (after 64 KiB)",
      "handler's next write rejects; stream cut, never a clean end; next served",
      async (observe) => {
        const { api, logs } = await startHarness(victimThenEcho(streamChunks(64, 16 * KiB)), (api) => {
          api.inject(isReplyTo(VICTIM, "response"), { kind: "drop", at: { afterBodyBytes: 64 * KiB } });
          enqueueVictimThenAfter(api);
        });
        const served = await expectServedAfter(api);
        const [victim] = api.repliesTo(VICTIM);
        observe(`${describeReplies(api, VICTIM)}; log: "${firstLine(victimLog(logs))}"; ${served}`);
        expect(victim?.state).to.equal("cut");
        expect(victim?.bodyLength).to.be.within(64 * KiB, 64 * 16 * KiB - 1);
        expectNoCleanSuccess(api);
        expect(victimLog(logs)).to.match(/connection to the Runtime API closed while streaming/);
      },
    );

    scenario(
      "connection dropped during a buffered response POST",
      "logged as a failed send naming the path; next served",
      async (observe) => {
        const big = "x".repeat(256 * KiB);
        const handler = buffered(async (event: string) => (event === VICTIM ? big : `served "${event}"`));
        const { api, logs } = await startHarness(handler, (api) => {
          api.inject(isReplyTo(VICTIM, "response"), { kind: "drop", at: { afterBodyBytes: 1000 } });
          enqueueVictimThenAfter(api);
        });
        await api.until(() => api.repliesTo(AFTER).some((e) => e.state === "complete"), "the reply after");
        const after = api.repliesTo(AFTER)[0];
        observe(
          `${describeReplies(api, VICTIM)}; log: "${firstLine(victimLog(logs))}"; after: ${after?.body}`,
        );
        expect(api.repliesTo(VICTIM)[0]?.state).to.equal("cut");
        expect(victimLog(logs)).to.match(
          /victim: sending the response failed: connection to the Lambda Runtime API at .* failed during \/2018-06-01\/runtime\/invocation\/victim\/response/,
        );
        expect(after?.body.toString()).to.equal(JSON.stringify(`served "${AFTER}"`));
      },
    );

    scenario(
      "connection dropped after the whole streamed response arrived, before its answer",
      "logged as a failed send; next served",
      async (observe) => {
        const { api, logs, fatal } = await startHarness(victimThenEcho(streamChunks(2, 10)), (api) => {
          api.inject(isReplyTo(VICTIM, "response"), { kind: "drop", at: "end" });
          enqueueVictimThenAfter(api);
        });
        const served = await expectServedAfter(api);
        const [victim] = api.repliesTo(VICTIM);
        observe(`${describeReplies(api, VICTIM)}; log: "${firstLine(victimLog(logs))}"; ${served}`);
        expect(victim?.state, "the stream arrived in full").to.equal("complete");
        expect(victim?.lastChunk).to.equal(true);
        expect(victim?.answer).to.equal("dropped");
        expectNoCleanSuccess(api);
        expect(victimLog(logs)).to.match(
          /victim: streaming the response failed: connection to the Lambda Runtime API/,
        );
        expect(fatal).to.deep.equal([]);
      },
    );

    scenario(
      "nothing listens at the Runtime API's address",
      "retried with backoff, then a fatal error naming the path, the attempts and the address",
      async (observe) => {
        const closed = net.createServer().listen(0, "127.0.0.1");
        await once(closed, "listening");
        const port = (closed.address() as net.AddressInfo).port;
        closed.close();
        await once(closed, "close");
        const fatal: Error[] = [];
        const started = performance.now();
        await new LambdaRuntime(async () => undefined, {
          runtimeApi: `127.0.0.1:${port}`,
          env: LAMBDA_ENV,
          log: { warn: () => undefined, error: () => undefined },
          onFatalError: (error) => fatal.push(error),
        }).run();
        const elapsedMs = performance.now() - started;
        observe(`fatal after ${Math.round(elapsedMs)} ms: "${fatal[0]?.message.split(";")[0]}"`);
        expect(fatal).to.have.length(1);
        expect(fatal[0]?.message).to.match(
          new RegExp(
            `^/2018-06-01/runtime/invocation/next failed 6 times in a row; last: connection to the Lambda Runtime API at 127\\.0\\.0\\.1:${port} failed`,
          ),
        );
        // Backoff of 20, 40, 80, 160 and 320 ms between the six attempts: a lower bound only.
        expect(elapsedMs).to.be.at.least(500);
      },
    );
  });

  describe("error answers", () => {
    scenario(
      "/response answered 500",
      "logged with method, path and status; next served",
      async (observe) => {
        const { api, logs } = await startHarness(victimThenEcho(streamChunks(2, 10)), (api) => {
          api.inject(isReplyTo(VICTIM, "response"), {
            kind: "answer",
            at: "end",
            status: 500,
            body: '{"errorType":"ServiceException"}',
          });
          enqueueVictimThenAfter(api);
        });
        const served = await expectServedAfter(api);
        observe(`${describeReplies(api, VICTIM)}; log: "${firstLine(victimLog(logs))}"; ${served}`);
        expect(victimLog(logs)).to.include(
          'victim: streaming the response failed: the Runtime API answered POST /2018-06-01/runtime/invocation/victim/response with 500: {"errorType":"ServiceException"}',
        );
      },
    );

    scenario("/error answered 500", "logged as a failed error report; next served", async (observe) => {
      const { api, logs } = await startHarness(
        victimThenEcho(async () => {
          throw new RangeError("out of range");
        }),
        (api) => {
          api.inject(isReplyTo(VICTIM, "error"), { kind: "answer", at: "end", status: 500 });
          enqueueVictimThenAfter(api);
        },
      );
      const served = await expectServedAfter(api);
      observe(`${describeReplies(api, VICTIM)}; log: "${firstLine(victimLog(logs))}"; ${served}`);
      expect(victimLog(logs)).to.include(
        "victim: sending the error failed: the Runtime API answered POST /2018-06-01/runtime/invocation/victim/error with 500",
      );
    });

    scenario(
      "streamed response answered 413 mid-stream, connection closed",
      "handler's writes fail; the log names the 413; never a clean end; next served",
      async (observe) => {
        const { api, logs } = await startHarness(victimThenEcho(streamChunks(64, 16 * KiB)), (api) => {
          api.inject(isReplyTo(VICTIM, "response"), {
            kind: "answer",
            at: { afterBodyBytes: 64 * KiB },
            status: 413,
            body: '{"errorType":"RequestEntityTooLarge"}',
            close: true,
          });
          enqueueVictimThenAfter(api);
        });
        const served = await expectServedAfter(api);
        const log = victimLog(logs);
        observe(`${describeReplies(api, VICTIM)}; log: "${firstLine(log)}"; ${served}`);
        expectNoCleanSuccess(api);
        expect(log).to.include("413");
        expect(log).to.include("RequestEntityTooLarge");
      },
    );

    scenario(
      "response accepted with Connection: close",
      "runtime reconnects for /next; the next invocation is not lost",
      async (observe) => {
        const { api, fatal } = await startHarness(victimThenEcho(streamChunks(2, 10)), (api) => {
          api.inject(isReplyTo(VICTIM, "response"), {
            kind: "answer",
            at: "end",
            status: 202,
            body: '{"status":"OK"}',
            close: true,
          });
          enqueueVictimThenAfter(api);
        });
        const served = await expectServedAfter(api);
        observe(`${describeReplies(api, VICTIM)}; ${api.connections} connections; ${served}`);
        expect(api.connections).to.equal(2);
        expect(fatal).to.deep.equal([]);
      },
    );

    scenario(
      "buffered response answered 413",
      "logged with the status and the Runtime API's reason; next served",
      async (observe) => {
        const handler = buffered(async (event: string) => `served "${event}"`);
        const { api, logs } = await startHarness(handler, (api) => {
          api.inject(isReplyTo(VICTIM, "response"), {
            kind: "answer",
            at: "end",
            status: 413,
            body: '{"errorType":"RequestEntityTooLarge"}',
          });
          enqueueVictimThenAfter(api);
        });
        await api.until(() => api.repliesTo(AFTER).some((e) => e.state === "complete"), "the reply after");
        observe(`${describeReplies(api, VICTIM)}; log: "${firstLine(victimLog(logs))}"; next served`);
        expect(victimLog(logs)).to.include(
          'victim: sending the response failed: the Runtime API answered POST /2018-06-01/runtime/invocation/victim/response with 413: {"errorType":"RequestEntityTooLarge"}',
        );
        expect(api.repliesTo(AFTER)[0]?.body.toString()).to.equal(JSON.stringify(`served "${AFTER}"`));
      },
    );
  });

  describe("garbage answers", () => {
    scenario(
      "garbage answer to /next, once",
      "treated as a broken connection: retried, the invocation served",
      async (observe) => {
        const { api, fatal } = await startHarness(echo, (api) => {
          api.inject(isNext, { kind: "garbage", at: "head", bytes: "SSH-2.0-OpenSSH_9.6\r\n\r\n" });
          api.enqueue({ requestId: AFTER, event: JSON.stringify(AFTER) });
        });
        const served = await expectServedAfter(api);
        observe(`/next retried on a new connection (${api.connections} connections); ${served}`);
        expect(api.connections).to.equal(2);
        expect(fatal).to.deep.equal([]);
      },
    );

    scenario(
      "garbage answer to the streamed response",
      "logged naming the parse error; next served",
      async (observe) => {
        const { api, logs } = await startHarness(victimThenEcho(streamChunks(2, 10)), (api) => {
          api.inject(isReplyTo(VICTIM, "response"), {
            kind: "garbage",
            at: "end",
            bytes: "HTTP/9 ???\r\n\r\n",
          });
          enqueueVictimThenAfter(api);
        });
        const served = await expectServedAfter(api);
        observe(`log: "${firstLine(victimLog(logs))}"; ${served}`);
        expect(victimLog(logs)).to.match(
          /victim: streaming the response failed: connection to the Lambda Runtime API at .* failed during .*victim\/response: malformed status line/,
        );
      },
    );

    scenario(
      "/next answer arrives one byte at a time",
      "parsed whole; the invocation served",
      async (observe) => {
        const { api } = await startHarness(echo, (api) =>
          api.enqueue({ requestId: AFTER, event: JSON.stringify(AFTER), trickleMs: 0 }),
        );
        const served = await expectServedAfter(api);
        observe(served);
      },
    );

    scenario("/next answer with a chunked body", "event bytes exact; served", async (observe) => {
      let seen = "";
      const { api } = await startHarness(
        async (event, writer) => {
          seen = event.toString();
          await echo(event, writer);
        },
        (api) => api.enqueue({ requestId: AFTER, event: JSON.stringify(AFTER), chunked: true }),
      );
      const served = await expectServedAfter(api);
      observe(`handler saw ${seen}; ${served}`);
      expect(seen).to.equal(JSON.stringify(AFTER));
    });
  });

  describe("a reader that stops reading", () => {
    scenario(
      "reader stops reading mid-stream (64 MiB response)",
      "the handler's write waits (backpressure): acknowledged minus received stays within 24 MiB; " +
        "the stream completes intact once reading resumes; next served",
      async (observe) => {
        const total = 64 * MiB;
        const chunk = Buffer.alloc(64 * KiB, 0x61);
        let acknowledged = 0;
        let writePending = false;
        let mostAhead = 0;
        let fake: FakeRuntimeApi | undefined;
        const received = (): number => fake?.repliesTo(VICTIM)[0]?.bodyBytes ?? 0;
        const harness = await startHarness(
          victimThenEcho(async (_event, writer) => {
            await writer.writeStatusAndHeaders({ statusCode: 200 });
            for (let sent = 0; sent < total; sent += chunk.length) {
              writePending = true;
              await writer.write(chunk);
              writePending = false;
              acknowledged += chunk.length;
              mostAhead = Math.max(mostAhead, acknowledged - received());
            }
            await writer.finish();
          }),
          (api) => {
            api.inject(isReplyTo(VICTIM, "response"), { kind: "stall", at: { afterBodyBytes: MiB } });
            enqueueVictimThenAfter(api);
          },
          { keepBodyBytes: 64 * KiB },
        );
        const api = (fake = harness.api);
        await api.until(
          () => api.repliesTo(VICTIM)[0]?.stall !== undefined && writePending,
          "the fake to stop reading while a write is pending",
        );
        // However long the fake stops reading, the handler may not get further than the buffers allow; this
        // gives a runtime without backpressure time to show it (a lower bound, not an ordering).
        await new Promise((resolve) => setTimeout(resolve, STALL_WINDOW_MS));
        const during = { acknowledged, received: received(), writePending };
        api.resumeReading();
        const served = await expectServedAfter(api);
        const [victim] = api.repliesTo(VICTIM);
        observe(
          `reading stopped at ${mib(victim?.stall?.atBytes)}; after ${STALL_WINDOW_MS} ms the handler had ` +
            `${mib(during.acknowledged)} acknowledged, the fake ${mib(during.received)} received, ` +
            `a write ${during.writePending ? "pending" : "not pending"}; at most ${mib(mostAhead)} ahead; ` +
            `stream of ${mib(victim?.bodyBytes)} ended cleanly; ${served}`,
        );
        expect(during.writePending, "a write is pending while the fake does not read").to.equal(true);
        expect(during.acknowledged).to.be.below(total);
        expect(during.acknowledged - during.received).to.be.at.most(MOST_AHEAD);
        expect(mostAhead, "acknowledged minus received, over the whole stream").to.be.at.most(MOST_AHEAD);
        expect(victim?.state).to.equal("complete");
        expect(victim?.bodyBytes).to.equal(total);
        expect(victim?.lastChunk).to.equal(true);
        expect(victim?.trailers).to.deep.equal({});
        expect(victim?.answer).to.equal(202);
      },
    );
  });

  describe("missing and malformed /next headers", () => {
    /** Runs one invocation with these header overrides and returns what the handler's context said. */
    async function contextWith(
      headers: Record<string, string | undefined>,
    ): Promise<Record<string, unknown>> {
      let seen: Record<string, unknown> = {};
      const { api } = await startHarness(
        async (event, writer, context) => {
          seen = {
            remaining: context.getRemainingTimeInMillis(),
            deadlineMs: context.deadlineMs,
            arn: context.invokedFunctionArn,
            traceId: context.traceId,
            envTraceId: process.env._X_AMZN_TRACE_ID,
            clientContext: context.clientContext,
            cognitoIdentity: context.cognitoIdentity,
          };
          await echo(event, writer);
        },
        (api) => api.enqueue({ requestId: AFTER, event: JSON.stringify(AFTER), headers }),
      );
      await expectServedAfter(api);
      return seen;
    }

    scenario("missing deadline header", "runs without a deadline; served", async (observe) => {
      const seen = await contextWith({ "Lambda-Runtime-Deadline-Ms": undefined });
      observe(`remaining=${seen.remaining}, deadlineMs=${seen.deadlineMs}; served`);
      expect(seen.remaining).to.equal(Number.MAX_SAFE_INTEGER);
      expect(seen.deadlineMs).to.equal(Infinity);
    });

    scenario('malformed deadline header ("soon")', "treated as no deadline; served", async (observe) => {
      const seen = await contextWith({ "Lambda-Runtime-Deadline-Ms": "soon" });
      observe(`remaining=${seen.remaining}; served`);
      expect(seen.remaining).to.equal(Number.MAX_SAFE_INTEGER);
    });

    scenario(
      "malformed function ARN header, then a missing one",
      'passed through as is, then invokedFunctionArn is ""; served',
      async (observe) => {
        const malformed = await contextWith({ "Lambda-Runtime-Invoked-Function-Arn": "not an arn" });
        const missing = await contextWith({ "Lambda-Runtime-Invoked-Function-Arn": undefined });
        observe(
          `invokedFunctionArn=${JSON.stringify(malformed.arn)}, then ${JSON.stringify(missing.arn)}; served`,
        );
        expect(malformed.arn).to.equal("not an arn");
        expect(missing.arn).to.equal("");
      },
    );

    scenario(
      "malformed trace id, then a missing one",
      "passed through as is, then _X_AMZN_TRACE_ID is unset (no leak from the previous invocation)",
      async (observe) => {
        const traces: Array<string | undefined> = [];
        const { api } = await startHarness(
          async (event, writer) => {
            traces.push(process.env._X_AMZN_TRACE_ID);
            await echo(event, writer);
          },
          (api) => {
            api.enqueue({ requestId: "first", headers: { "Lambda-Runtime-Trace-Id": "not;a=trace;;" } });
            api.enqueue({
              requestId: AFTER,
              event: JSON.stringify(AFTER),
              headers: { "Lambda-Runtime-Trace-Id": undefined },
            });
          },
        );
        const served = await expectServedAfter(api);
        observe(`first: ${JSON.stringify(traces[0])}, second: ${String(traces[1])}; ${served}`);
        expect(traces).to.deep.equal(["not;a=trace;;", undefined]);
      },
    );

    scenario(
      "malformed client context and Cognito identity JSON",
      "kept as the raw strings; served",
      async (observe) => {
        const seen = await contextWith({
          "Lambda-Runtime-Client-Context": "{not json",
          "Lambda-Runtime-Cognito-Identity": "[1,",
        });
        observe(`clientContext=${JSON.stringify(seen.clientContext)}; served`);
        expect(seen.clientContext).to.equal("{not json");
        expect(seen.cognitoIdentity).to.equal("[1,");
      },
    );

    scenario(
      "request id that needs escaping in a path",
      "reply path percent-encodes it; served",
      async (observe) => {
        const requestId = "id/with space?&#";
        const { api } = await startHarness(echo, (api) => api.enqueue({ requestId, event: '"after"' }));
        await api.waitForReplies(1);
        const [reply] = api.replies;
        observe(`${reply?.method} ${reply?.path}`);
        expect(reply?.path).to.equal("/2018-06-01/runtime/invocation/id%2Fwith%20space%3F%26%23/response");
        await expectServedAfter(api, requestId);
      },
    );
  });

  describe("empty and 6 MB events", () => {
    scenario(
      "empty event",
      "a streaming handler gets 0 bytes, a buffered one undefined; both served",
      async (observe) => {
        let streamed: number | undefined;
        const streaming = await startHarness(
          async (event, writer) => {
            streamed = event.length;
            await echo(Buffer.from(JSON.stringify(AFTER)), writer);
          },
          (api) => api.enqueue({ requestId: AFTER, event: "" }),
        );
        await expectServedAfter(streaming.api);
        let parsed: unknown = "not called";
        const bufferedRun = await startHarness(
          buffered(async (event: unknown) => {
            parsed = event;
            return { got: event === undefined ? "undefined" : typeof event };
          }),
          (api) => api.enqueue({ requestId: AFTER, event: "" }),
        );
        await bufferedRun.api.waitForReplies(1);
        const reply = bufferedRun.api.replies[0];
        observe(
          `streaming handler got ${streamed} bytes; buffered got ${String(parsed)}, replied ${reply?.body}`,
        );
        expect(streamed).to.equal(0);
        expect(parsed).to.equal(undefined);
        expect(reply?.body.toString()).to.equal('{"got":"undefined"}');
      },
    );

    scenario("6 MB event", "every byte reaches the handler; served", async (observe) => {
      const event = Buffer.alloc(6 * MiB);
      for (let i = 0; i < event.length; i++) event[i] = (i * 7919) & 0xff;
      const digest = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");
      let seen = "";
      const { api } = await startHarness(
        async (bytes, writer) => {
          if (bytes.length < event.length) return echo(bytes, writer);
          seen = `${bytes.length} B, sha256 ${digest(bytes).slice(0, 16)}`;
          await writer.writeAndFinish(seen);
        },
        (api) => {
          api.enqueue({ requestId: VICTIM, event });
          api.enqueue({ requestId: AFTER, event: JSON.stringify(AFTER) });
        },
      );
      const served = await expectServedAfter(api);
      observe(`handler saw ${seen}; ${served}`);
      expect(seen).to.equal(`${event.length} B, sha256 ${digest(event).slice(0, 16)}`);
    });
  });
});

describe("fault injection: the Runtime API misbehaves (runtime in a child process)", () => {
  const fixture = path.join(__dirname, "fixtures/crashingHandler.ts");
  let bundle: string;
  const { fakeApi, start: child } = childRuntimes();

  before(async function () {
    this.timeout(30_000);
    bundle = await bundleHandler(fixture);
  });

  /** Lambda restarts a runtime that exited: a fresh process must serve the invocation after. */
  async function restartAndServe(api: FakeRuntimeApi): Promise<string> {
    api.enqueue({ requestId: AFTER, event: JSON.stringify(AFTER) });
    child(bundle, api);
    return expectServedAfter(api);
  }

  scenario(
    "/next answered 500",
    "process exits 1 naming the path and status; a restarted one serves the next",
    async (observe) => {
      const api = await fakeApi();
      api.inject(isNext, {
        kind: "answer",
        at: "head",
        status: 500,
        body: '{"errorType":"ServiceException"}',
      });
      const run = child(bundle, api);
      const code = await run.exit;
      const served = await restartAndServe(api);
      observe(`exit ${code}: "${firstLine(run.output())}"; restarted: ${served}`);
      expect(code).to.equal(1);
      expect(run.output()).to.include(
        '[runtime] fatal: the Runtime API answered GET /2018-06-01/runtime/invocation/next with 500: {"errorType":"ServiceException"}',
      );
    },
  );

  scenario(
    "garbage answer to /next on every attempt",
    "process exits 1 after its retries, naming the path, the address and the parse error; a restarted one serves the next",
    async (observe) => {
      const api = await fakeApi();
      // As many garbage answers as the runtime makes attempts: the restarted process finds a sane API.
      api.inject(isNext, { kind: "garbage", at: "head", bytes: "garbage\r\n\r\n" }, 6);
      const run = child(bundle, api);
      const code = await run.exit;
      const attempts = api.connections;
      const served = await restartAndServe(api);
      observe(
        `exit ${code} after ${attempts} connections: "${firstLine(run.output())}"; restarted: ${served}`,
      );
      expect(code).to.equal(1);
      expect(run.output()).to.match(
        /\[runtime\] fatal: \/2018-06-01\/runtime\/invocation\/next failed 6 times in a row; last: connection to the Lambda Runtime API at 127\.0\.0\.1:\d+ failed .*malformed status line "garbage"/,
      );
    },
  );

  scenario(
    "/next answer without a request id",
    "process exits 1 naming the missing header",
    async (observe) => {
      const api = await fakeApi();
      api.enqueue({ requestId: VICTIM, headers: { "Lambda-Runtime-Aws-Request-Id": undefined } });
      const run = child(bundle, api);
      const code = await run.exit;
      const served = await restartAndServe(api);
      observe(`exit ${code}: "${firstLine(run.output())}"; restarted: ${served}`);
      expect(code).to.equal(1);
      expect(run.output()).to.include("without a lambda-runtime-aws-request-id header");
    },
  );

  scenario(
    "SIGTERM while waiting on /next (the environment shuts down)",
    "the loop ends cleanly: exit 0",
    async (observe) => {
      const api = await fakeApi();
      const run = child(bundle, api);
      await api.until(() => api.pollWaiting, "a waiting /next poll");
      run.child.kill("SIGTERM");
      const code = await run.exit;
      observe(`exit ${code}; ${api.connections} connection(s), ${api.replies.length} replies`);
      expect(code).to.equal(0);
      expect(api.replies).to.deep.equal([]);
    },
  );
});

function firstLine(text: string): string {
  return (text.split("\n").find((line) => line.trim() !== "") ?? "").trim();
}

function mib(bytes: number | undefined): string {
  return `${((bytes ?? 0) / MiB).toFixed(1)} MiB`;
}
