// Fault injection on the Runtime API side: drops, error answers, garbage, a stalled reader, odd headers and events.
import { expect } from "chai";
import { createHash } from "node:crypto";
import * as path from "node:path";
import { buffered, type LambdaResponseStreamWriter } from "../../runtime";
import { bundleHandler, runChild, type ChildRun } from "../helpers/childRuntime";
import { FaultyRuntimeApi, isNext, isReplyTo } from "./faultyRuntimeApi";
import { scenarioGroup } from "./scenarioTable";
import {
  AFTER,
  describeReplies,
  echo,
  enqueueVictimThenAfter,
  expectNoCleanSuccess,
  expectServedAfter,
  startRuntime,
  stopAllRuntimes,
  VICTIM,
  victimThenEcho,
} from "./runtimeUnderTest";

const scenario = scenarioGroup("Runtime API");
const KiB = 1024;
const MiB = 1024 * KiB;

/** A victim that streams `count` chunks of `size` bytes, yielding to the event loop between them. */
function streamChunks(count: number, size: number) {
  return async (_event: Buffer, writer: LambdaResponseStreamWriter): Promise<void> => {
    await writer.writeStatusAndHeaders({ statusCode: 200 });
    for (let i = 0; i < count; i++) {
      await writer.write(Buffer.alloc(size, 0x61 + (i % 26)));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await writer.finish();
  };
}

/** The runtime's log lines that mention the victim, joined. */
function victimLog(logs: readonly string[]): string {
  return logs.filter((line) => line.includes(`] ${VICTIM}:`)).join("\n");
}

describe("fault injection: the Runtime API misbehaves", () => {
  afterEach(stopAllRuntimes);

  describe("dropped connections", () => {
    scenario(
      "connection dropped while waiting on /next",
      "runtime reconnects and serves the next invocation",
      async (observe) => {
        const { api, fatal } = await startRuntime(echo);
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
        const { api, logs } = await startRuntime(victimThenEcho(streamChunks(5, 100)), (api) => {
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
        const { api, logs } = await startRuntime(victimThenEcho(streamChunks(64, 16 * KiB)), (api) => {
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
        const { api, logs } = await startRuntime(handler, (api) => {
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
  });

  describe("error answers", () => {
    scenario(
      "/response answered 500",
      "logged with method, path and status; next served",
      async (observe) => {
        const { api, logs } = await startRuntime(victimThenEcho(streamChunks(2, 10)), (api) => {
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
      const { api, logs } = await startRuntime(
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
        const { api, logs } = await startRuntime(victimThenEcho(streamChunks(64, 16 * KiB)), (api) => {
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
        const { api, fatal } = await startRuntime(victimThenEcho(streamChunks(2, 10)), (api) => {
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
        const { api, logs } = await startRuntime(handler, (api) => {
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
        const { api, fatal } = await startRuntime(echo, (api) => {
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
        const { api, logs } = await startRuntime(victimThenEcho(streamChunks(2, 10)), (api) => {
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
        const { api } = await startRuntime(echo, (api) =>
          api.enqueue({ requestId: AFTER, event: JSON.stringify(AFTER), trickleMs: 0 }),
        );
        const served = await expectServedAfter(api);
        observe(served);
      },
    );

    scenario("/next answer with a chunked body", "event bytes exact; served", async (observe) => {
      let seen = "";
      const { api } = await startRuntime(
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

  describe("missing and malformed /next headers", () => {
    /** Runs one invocation with these header overrides and returns what the handler's context said. */
    async function contextWith(
      headers: Record<string, string | undefined>,
    ): Promise<Record<string, unknown>> {
      let seen: Record<string, unknown> = {};
      const { api } = await startRuntime(
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
        const { api } = await startRuntime(
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
        const { api } = await startRuntime(echo, (api) => api.enqueue({ requestId, event: '"after"' }));
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
        const streaming = await startRuntime(
          async (event, writer) => {
            streamed = event.length;
            await echo(Buffer.from(JSON.stringify(AFTER)), writer);
          },
          (api) => api.enqueue({ requestId: AFTER, event: "" }),
        );
        await expectServedAfter(streaming.api);
        let parsed: unknown = "not called";
        const bufferedRun = await startRuntime(
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
      const { api } = await startRuntime(
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
  let megabytesBundle: string;
  const children: ChildRun[] = [];
  const apis: FaultyRuntimeApi[] = [];

  before(async function () {
    this.timeout(30_000);
    [bundle, megabytesBundle] = await Promise.all([
      bundleHandler(fixture),
      bundleHandler(path.join(__dirname, "../fixtures/streamMegabytes.ts")),
    ]);
  });

  afterEach(async () => {
    for (const child of children.splice(0)) child.child.kill();
    await Promise.all(apis.splice(0).map((api) => api.close()));
  });

  async function fakeApi(): Promise<FaultyRuntimeApi> {
    const api = await new FaultyRuntimeApi().start();
    apis.push(api);
    return api;
  }

  function child(file: string, api: FaultyRuntimeApi): ChildRun {
    const run = runChild(file, api.address);
    children.push(run);
    return run;
  }

  /** Lambda restarts a runtime that exited: a fresh process must serve the invocation after. */
  async function restartAndServe(api: FaultyRuntimeApi): Promise<string> {
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
      observe(`exit ${code}: "${firstLine(run.stderr())}"; restarted: ${served}`);
      expect(code).to.equal(1);
      expect(run.stderr()).to.include(
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
        `exit ${code} after ${attempts} connections: "${firstLine(run.stderr())}"; restarted: ${served}`,
      );
      expect(code).to.equal(1);
      expect(run.stderr()).to.match(
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
      observe(`exit ${code}: "${firstLine(run.stderr())}"; restarted: ${served}`);
      expect(code).to.equal(1);
      expect(run.stderr()).to.include("without a lambda-runtime-aws-request-id header");
    },
  );

  scenario(
    "reader stalls for 1 s mid-stream (64 MiB response)",
    "handler waits (backpressure): peak RSS within 16 MiB of a 4 MiB run; stream completes intact; next served",
    async (observe) => {
      const api = await fakeApi();
      api.keepBodies = false;
      api.inject(isReplyTo("large", "response"), { kind: "stall", afterBodyBytes: MiB, forMs: 1000 });
      const run = child(megabytesBundle, api);
      api.enqueue({ requestId: "small", event: "4" });
      api.enqueue({ requestId: "large", event: "64" });
      api.enqueue({ requestId: "after-stall", event: "1" });
      await api.waitForReplies(3, 20_000);
      await api.until(() => (run.stderr().match(/peakRss=/g) ?? []).length === 3, "3 peak RSS reports");
      const [small, large] = [...run.stderr().matchAll(/peakRss=(\d+)/g)].map((m) => Number(m[1]));
      const [smallReply, largeReply, nextReply] = api.replies;
      const growth = (large as number) - (small as number);
      observe(
        `stalled at ${((largeReply?.stall?.atBytes ?? 0) / MiB).toFixed(1)} MiB for ` +
          `${Math.round(largeReply?.stall?.resumedAfterMs ?? 0)} ms; peak RSS 4 MiB run ${mib(small)}, ` +
          `64 MiB stalled run ${mib(large)} (+${mib(growth)}); 64 MiB stream ended cleanly; next served`,
      );
      expect(largeReply?.stall?.resumedAfterMs).to.be.at.least(1000);
      expect(smallReply?.bodyLength).to.be.greaterThan(4 * MiB);
      expect(largeReply?.bodyLength).to.be.greaterThan(64 * MiB);
      expect(largeReply?.lastChunk).to.equal(true);
      expect(largeReply?.trailers).to.deep.equal({});
      expect(nextReply?.state).to.equal("complete");
      // Without backpressure the handler would have buffered ~63 MiB during the stall.
      expect(growth).to.be.below(16 * MiB);
    },
    30_000,
  );
});

function firstLine(text: string): string {
  return (text.split("\n").find((line) => line.trim() !== "") ?? "").trim();
}

function mib(bytes: number | undefined): string {
  return `${((bytes ?? 0) / MiB).toFixed(1)} MiB`;
}
