// Fault injection on the handler side: throws, odd rejections, hangs past the deadline, misuse of the writer.
import { expect } from "chai";
import * as path from "node:path";
import { buffered, ResponseStreamStateError, type StreamingLambdaHandlerFunction } from "../../runtime";
import { bundleHandler, type ChildRun } from "../helpers/childRuntime";
import type { Exchange, FakeRuntimeApi } from "../helpers/fakeRuntimeApi";
import { startHarness, stopAllHarnesses, type Harness } from "../helpers/runtimeHarness";
import { scenarioGroup } from "./scenarioTable";
import {
  AFTER,
  childRuntimes,
  describeReplies,
  echo,
  enqueueVictimThenAfter,
  errorBody,
  expectNoCleanSuccess,
  expectServedAfter,
  trailerError,
  VICTIM,
  victimThenEcho,
} from "./runtimeUnderTest";

const scenario = scenarioGroup("Handler");

/** Runs the victim then the invocation after it, and waits until the one after is served. */
async function victimRun(
  handler: Parameters<typeof startHarness>[0],
  headers?: Record<string, string>,
): Promise<Harness & { served: string }> {
  const run = await startHarness(handler, (api) => {
    api.enqueue({ requestId: VICTIM, event: JSON.stringify(VICTIM), ...(headers ? { headers } : {}) });
    api.enqueue({ requestId: AFTER, event: JSON.stringify(AFTER) });
  });
  return { ...run, served: await expectServedAfter(run.api) };
}

/**
 * How far ahead the deadlines of the scenarios that run into them lie. The runtime arms its deadline timer
 * when the handler starts, so a handler that starts late still sees the abort after it started.
 */
const DEADLINE_MS = 150;

/** A deadline this many ms from now, as the `/next` header. */
function deadlineIn(ms: number): Record<string, string> {
  return { "Lambda-Runtime-Deadline-Ms": String(Date.now() + ms) };
}

/** The error message of a JSON error body. */
function errorBodyOf(exchange: Exchange | undefined): string {
  return (JSON.parse(exchange?.body.toString() || "{}") as { errorMessage?: string }).errorMessage ?? "";
}

/** Asserts the fake saw the client give up on init (`initFailed` rejects). */
async function expectInitFailed(api: FakeRuntimeApi): Promise<void> {
  const outcome = await api.initFailed.then(
    () => "resolved",
    (error: Error) => error.message,
  );
  expect(outcome).to.match(/^the client posted \/init\/error /);
}

/** Asserts the victim's only reply is `/error` with this type; returns its JSON body. */
function expectErrorReply(run: Harness, errorType: string): { errorType: string; errorMessage: string } {
  const replies = run.api.repliesTo(VICTIM);
  expect(replies.map((r) => r.path.split("/").pop())).to.deep.equal(["error"]);
  expect(replies[0]?.headers["lambda-runtime-function-error-type"]).to.equal(errorType);
  const body = errorBody(replies[0]);
  expect(body.errorType).to.equal(errorType);
  return body;
}

/** Asserts the victim's stream ended with a last chunk carrying error trailers of this type. */
function expectTrailers(run: Harness, errorType: string): { errorType: string; errorMessage: string } {
  const [reply, ...others] = run.api.repliesTo(VICTIM);
  expect(others).to.deep.equal([]);
  expect(reply?.lastChunk, "ends with a last chunk").to.equal(true);
  expect(reply?.trailers["lambda-runtime-function-error-type"]).to.equal(errorType);
  expectNoCleanSuccess(run.api);
  return trailerError(reply);
}

describe("fault injection: the handler misbehaves", () => {
  afterEach(stopAllHarnesses);

  describe("throws and rejections before any byte", () => {
    scenario(
      "synchronous throw from a non-async handler",
      "/error TypeError with message and stack; next served",
      async (observe) => {
        const handler = ((event: Buffer, writer) => {
          if (event.toString() === JSON.stringify(VICTIM)) throw new TypeError("thrown synchronously");
          return echo(event, writer);
        }) as StreamingLambdaHandlerFunction;
        const run = await victimRun(handler);
        const body = expectErrorReply(run, "TypeError");
        observe(`${describeReplies(run.api, VICTIM)}: ${body.errorMessage}; ${run.served}`);
        expect(body.errorMessage).to.equal("thrown synchronously");
        expect((body as unknown as { stackTrace: string[] }).stackTrace[0]).to.match(
          /handler\.faults\.test\.ts/,
        );
      },
    );

    scenario("async throw", "/error RangeError; next served", async (observe) => {
      const run = await victimRun(
        victimThenEcho(async () => {
          throw new RangeError("thrown after an await");
        }),
      );
      const body = expectErrorReply(run, "RangeError");
      observe(`${describeReplies(run.api, VICTIM)}: ${body.errorMessage}; ${run.served}`);
      expect(body.errorMessage).to.equal("thrown after an await");
    });

    const odd: Array<[string, () => unknown, string, string]> = [
      ["a string", () => "just a string", "string", "just a string"],
      ["undefined", () => undefined, "undefined", "undefined"],
      [
        "an object with a cycle",
        () => {
          const cyclic: Record<string, unknown> = { code: 42 };
          cyclic.self = cyclic;
          return cyclic;
        },
        "object",
        '{"code":42,"self":"[Circular]"}',
      ],
    ];
    for (const [what, value, errorType, errorMessage] of odd) {
      scenario(
        `rejection with ${what}`,
        `/error ${errorType}: ${errorMessage}; next served`,
        async (observe) => {
          const run = await victimRun(victimThenEcho(() => Promise.reject(value())));
          const body = expectErrorReply(run, errorType);
          observe(`${describeReplies(run.api, VICTIM)}: ${body.errorMessage}; ${run.served}`);
          expect(body.errorMessage).to.equal(errorMessage);
        },
      );
    }

    scenario(
      "rejection with a revoked Proxy (throws on every touch)",
      "/error with a placeholder description; the runtime keeps running; next served",
      async (observe) => {
        const run = await startHarness(
          victimThenEcho(() => {
            const { proxy, revoke } = Proxy.revocable({}, {});
            revoke();
            return Promise.reject(proxy);
          }),
          enqueueVictimThenAfter,
        );
        await run.api.until(
          () => run.fatal.length > 0 || run.api.repliesTo(AFTER).some((e) => e.state === "complete"),
          "the next invocation's reply, or a fatal error",
        );
        const fatal = run.fatal.map((e) => `fatal: ${e.message}`).join("; ");
        observe(`${describeReplies(run.api, VICTIM)}; ${fatal || "no fatal error"}`);
        expect(run.fatal).to.deep.equal([]);
        const body = expectErrorReply(run, "object");
        expect(body.errorMessage).to.equal("(a thrown value that cannot be inspected)");
        await expectServedAfter(run.api);
      },
    );

    scenario(
      "invalid chunk type before any byte (write(42))",
      "/error TypeError naming the allowed types; nothing streamed; next served",
      async (observe) => {
        const run = await victimRun(victimThenEcho((_event, writer) => writer.write(42 as never)));
        const body = expectErrorReply(run, "TypeError");
        observe(`${describeReplies(run.api, VICTIM)}: ${body.errorMessage}; ${run.served}`);
        expect(body.errorMessage).to.match(/chunk must be a string or a Uint8Array \(Buffer\), got number/);
      },
    );

    scenario(
      "invalid prelude (status 999, then a header with CR/LF)",
      "/error InvalidResponseError; nothing streamed; next served",
      async (observe) => {
        const refusals: string[] = [];
        const run = await victimRun(
          victimThenEcho(async (_event, writer) => {
            await writer
              .writeStatusAndHeaders({ statusCode: 999 })
              .catch((e: Error) => refusals.push(e.message));
            await writer.writeStatusAndHeaders({
              statusCode: 200,
              headers: { "x-evil": "a\r\nSet-Cookie: x=1" },
            });
          }),
        );
        const body = expectErrorReply(run, "InvalidResponseError");
        observe(`${describeReplies(run.api, VICTIM)}: ${body.errorMessage}; ${run.served}`);
        expect(refusals[0]).to.match(/statusCode must be an integer from 100 to 599, got 999/);
        expect(body.errorMessage).to.match(/control character/);
      },
    );
  });

  describe("failures after bytes were sent", () => {
    scenario(
      "throw mid-stream",
      "stream ends with error trailers (type + base64 JSON), never cleanly; next served",
      async (observe) => {
        const run = await victimRun(
          victimThenEcho(async (_event, writer) => {
            await writer.writeStatusAndHeaders({ statusCode: 200 });
            await writer.write("partial");
            throw new Error("the database went away");
          }),
        );
        const error = expectTrailers(run, "Error");
        observe(`${describeReplies(run.api, VICTIM)}: ${error.errorMessage}; ${run.served}`);
        expect(error.errorMessage).to.equal("the database went away");
      },
    );

    scenario(
      "error whose name carries CR/LF, thrown mid-stream",
      "the trailer's error type is stripped to visible ASCII (no header injection); next served",
      async (observe) => {
        class Evil extends Error {
          override name = "Evil\r\nX-Injected: 1";
        }
        const run = await victimRun(
          victimThenEcho(async (_event, writer) => {
            await writer.write("partial");
            throw new Evil("bad name");
          }),
        );
        const [reply] = run.api.repliesTo(VICTIM);
        observe(
          `${describeReplies(run.api, VICTIM)}; trailers: ${Object.keys(reply?.trailers ?? {}).join(", ")}`,
        );
        expectTrailers(run, "EvilX-Injected:1");
        expect(Object.keys(reply?.trailers ?? {})).to.deep.equal([
          "lambda-runtime-function-error-type",
          "lambda-runtime-function-error-body",
        ]);
      },
    );

    scenario(
      "invalid chunk type mid-stream (pipe yields an object)",
      "stream ends with TypeError trailers; next served",
      async (observe) => {
        const run = await victimRun(
          victimThenEcho(async (_event, writer) => {
            await writer.pipe(
              (async function* () {
                yield "fine";
                yield { not: "a chunk" } as never;
              })(),
            );
            await writer.finish();
          }),
        );
        const error = expectTrailers(run, "TypeError");
        observe(`${describeReplies(run.api, VICTIM)}: ${error.errorMessage}; ${run.served}`);
        expect(error.errorMessage).to.match(/got object/);
        expect(run.api.repliesTo(VICTIM)[0]?.body.toString()).to.equal("fine");
      },
    );

    scenario(
      "throw after finish",
      "response already complete and accepted; the error is logged; next served",
      async (observe) => {
        const run = await victimRun(
          victimThenEcho(async (_event, writer) => {
            await writer.writeAndFinish("complete");
            throw new Error("too late to matter");
          }),
        );
        const log = run.logs.find((line) => line.includes("victim: handler failed")) ?? "";
        observe(`${describeReplies(run.api, VICTIM)}; log: "${log.split("\n")[0]}"; ${run.served}`);
        const [reply] = run.api.repliesTo(VICTIM);
        expect(reply?.body.toString()).to.equal("complete");
        expect(reply?.trailers).to.deep.equal({});
        expect(log).to.match(/after finish; the response had already gone out: Error: too late to matter/);
      },
    );

    scenario(
      "returns without finish",
      "runtime ends the stream cleanly and warns; next served",
      async (observe) => {
        const run = await victimRun(victimThenEcho(async (_event, writer) => writer.write("unfinished")));
        const warning = run.logs.find((line) => line.startsWith("WARN")) ?? "";
        observe(`${describeReplies(run.api, VICTIM)}; "${warning}"; ${run.served}`);
        const [reply] = run.api.repliesTo(VICTIM);
        expect(reply?.body.toString()).to.equal("unfinished");
        expect(reply?.lastChunk, "a clean last chunk").to.equal(true);
        expect(reply?.trailers).to.deep.equal({});
        expect(warning).to.match(/victim: the handler returned without finish\(\)/);
      },
    );
  });

  describe("handlers that never settle", () => {
    scenario(
      "never settles, nothing sent",
      "at the deadline: signal aborts, /error InvocationTimeoutError; next served",
      async (observe) => {
        let abortedAfter: number | undefined;
        const started = Date.now();
        const run = await victimRun(
          victimThenEcho((_event, _writer, context) => {
            context.signal.addEventListener("abort", () => (abortedAfter = Date.now() - started));
            return new Promise<void>(() => undefined);
          }),
          deadlineIn(DEADLINE_MS),
        );
        const body = expectErrorReply(run, "InvocationTimeoutError");
        observe(
          `signal aborted after ${abortedAfter} ms; ${describeReplies(run.api, VICTIM)}; ${run.served}`,
        );
        expect(abortedAfter, "aborted at the deadline, not before").to.be.at.least(DEADLINE_MS - 50);
        expect(body.errorMessage).to.match(/did not settle before the invocation deadline/);
      },
    );

    scenario(
      "never settles after a prelude and bytes",
      "at the deadline: stream ends with InvocationTimeoutError trailers; next served",
      async (observe) => {
        const run = await victimRun(
          victimThenEcho(async (_event, writer) => {
            await writer.writeStatusAndHeaders({ statusCode: 200 });
            await writer.write("started");
            await new Promise<void>(() => undefined);
          }),
          deadlineIn(DEADLINE_MS),
        );
        const error = expectTrailers(run, "InvocationTimeoutError");
        observe(`${describeReplies(run.api, VICTIM)}; ${run.served}`);
        expect(error.errorMessage).to.match(/did not settle before the invocation deadline/);
      },
    );

    scenario(
      "timed-out handler keeps writing after its deadline",
      "its late writes throw ResponseStreamStateError; nothing reaches the next invocation's response",
      async (observe) => {
        const late: unknown[] = [];
        let lateWriteDone!: () => void;
        const lateWrite = new Promise<void>((resolve) => (lateWriteDone = resolve));
        let fake: FakeRuntimeApi | undefined;
        const run = await startHarness(
          victimThenEcho(async (_event, writer, context) => {
            await writer.write("before the deadline");
            await new Promise((resolve) => context.signal.addEventListener("abort", resolve));
            // Still running after the runtime gave up on it, once the next invocation is being served.
            const api = fake as FakeRuntimeApi;
            await api.until(() => api.repliesTo(AFTER).length > 0, "the next invocation's reply to start");
            await writer.write("zombie").catch((error: unknown) => late.push(error));
            await writer.finish().catch((error: unknown) => late.push(error));
            lateWriteDone();
          }),
          (api) => {
            fake = api;
            api.enqueue({
              requestId: VICTIM,
              event: JSON.stringify(VICTIM),
              headers: deadlineIn(DEADLINE_MS),
            });
            api.enqueue({ requestId: AFTER, event: JSON.stringify(AFTER) });
          },
        );
        await lateWrite;
        const served = await expectServedAfter(run.api);
        const names = late.map((e) => (e as Error).name);
        observe(`late calls threw ${names.join(", ")}; ${describeReplies(run.api, VICTIM)}; ${served}`);
        expect(late).to.have.length(2);
        for (const error of late) expect(error).to.be.instanceOf(ResponseStreamStateError);
        expectTrailers(run, "InvocationTimeoutError");
        for (const reply of run.api.replies) expect(reply.body.toString()).to.not.include("zombie");
      },
    );
  });

  describe("buffered handlers", () => {
    scenario(
      "buffered result that cannot be serialized (a BigInt)",
      "/error TypeError; next served",
      async (observe) => {
        const run = await startHarness(
          buffered(async (event: string) => (event === VICTIM ? { big: 1n } : `served "${event}"`)),
          enqueueVictimThenAfter,
        );
        await run.api.waitForReplies(2);
        const body = expectErrorReply(run, "TypeError");
        observe(
          `${describeReplies(run.api, VICTIM)}: ${body.errorMessage}; next: ${run.api.repliesTo(AFTER)[0]?.body}`,
        );
        expect(body.errorMessage).to.match(/BigInt/);
        expect(run.api.repliesTo(AFTER)[0]?.body.toString()).to.equal(JSON.stringify(`served "${AFTER}"`));
      },
    );

    scenario(
      "buffered handler given an event that is not JSON",
      "/error SyntaxError; next served",
      async (observe) => {
        const run = await startHarness(
          buffered(async (event: string) => `served "${event}"`),
          (api) => {
            api.enqueue({ requestId: VICTIM, event: "{not json" });
            api.enqueue({ requestId: AFTER, event: JSON.stringify(AFTER) });
          },
        );
        await run.api.waitForReplies(2);
        const body = expectErrorReply(run, "SyntaxError");
        observe(`${describeReplies(run.api, VICTIM)}: ${body.errorMessage}; next served`);
        expect(run.api.repliesTo(AFTER)[0]?.body.toString()).to.equal(JSON.stringify(`served "${AFTER}"`));
      },
    );
  });
});

describe("fault injection: the handler crashes the process (child process)", () => {
  let bundle: string;
  let throwsOnLoad: string;
  let notAHandler: string;
  const { fakeApi, start } = childRuntimes();

  before(async function () {
    this.timeout(30_000);
    [bundle, throwsOnLoad, notAHandler] = await Promise.all([
      bundleHandler(path.join(__dirname, "fixtures/crashingHandler.ts")),
      bundleHandler(path.join(__dirname, "../fixtures/throwsOnLoad.ts")),
      bundleHandler(path.join(__dirname, "../fixtures/notAHandler.ts")),
    ]);
  });

  /** Starts `file` against a fresh fake Runtime API, with no invocation queued. */
  async function startChild(file: string): Promise<{ api: FakeRuntimeApi; run: ChildRun }> {
    const api = await fakeApi();
    return { api, run: start(file, api) };
  }

  scenario(
    "handler module throws while loading",
    "/init/error with the error's type and message, then exit 1; /next never polled",
    async (observe) => {
      const { api, run } = await startChild(throwsOnLoad);
      const code = await run.exit;
      const [initError, ...others] = api.exchanges;
      observe(`exit ${code}; ${initError?.method} ${initError?.path} ${initError?.error?.errorType}`);
      expect(code).to.equal(1);
      expect(others).to.deep.equal([]);
      expect(initError?.path).to.equal("/2018-06-01/runtime/init/error");
      expect(initError?.headers["lambda-runtime-function-error-type"]).to.equal("ReferenceError");
      expect(JSON.parse(initError?.body.toString() ?? "")).to.include({
        errorType: "ReferenceError",
        errorMessage: "DATABASE_URL is not configured",
      });
      expect(run.output()).to.include(
        "the handler failed to load: ReferenceError: DATABASE_URL is not configured",
      );
      await expectInitFailed(api);
    },
  );

  scenario(
    "handler export that is not a handler",
    "/init/error naming the export and what it is, then exit 1",
    async (observe) => {
      const { api, run } = await startChild(notAHandler);
      const code = await run.exit;
      const [initError] = api.replies;
      const message = errorBodyOf(initError);
      observe(`exit ${code}; ${initError?.path}: ${message}`);
      expect(code).to.equal(1);
      expect(initError?.path).to.equal("/2018-06-01/runtime/init/error");
      expect(message).to.match(/"handler" export must be a streaming handler .* got object/);
      await expectInitFailed(api);
    },
  );

  scenario(
    "unhandled rejection before any byte",
    "the error is reported on /error, then the process exits non-zero; a restarted one serves the next",
    async (observe) => {
      const api = await fakeApi();
      api.enqueue({ requestId: VICTIM, event: '"reject-early"' });
      const first = start(bundle, api);
      const code = await first.exit;
      api.enqueue({ requestId: AFTER, event: JSON.stringify(AFTER) });
      start(bundle, api);
      const served = await expectServedAfter(api);
      observe(`exit ${code}; ${describeReplies(api, VICTIM)}; restarted: ${served}`);
      expect(code).to.equal(1);
      const replies = api.repliesTo(VICTIM);
      expect(replies.map((r) => r.path.split("/").pop())).to.deep.equal(["error"]);
      expect(errorBody(replies[0])).to.include({
        errorType: "Error",
        errorMessage: "rejected before any byte",
      });
    },
  );

  const crashes: Array<[string, string, string]> = [
    ["unhandled rejection mid-stream", '"reject"', "a promise nobody awaited was rejected"],
    ["uncaught exception in a timer callback mid-stream", '"throw"', "thrown from a timer callback"],
  ];
  for (const [name, event, message] of crashes) {
    scenario(
      name,
      "the error is reported in the stream's trailers (as AWS's client does), then the process exits non-zero; never a clean end; a restarted one serves the next",
      async (observe) => {
        const api = await fakeApi();
        api.enqueue({ requestId: VICTIM, event });
        const first = start(bundle, api);
        const code = await first.exit;
        await api.until(
          () => api.repliesTo(VICTIM).some((e) => e.state !== "open"),
          "the victim's reply to end",
        );
        api.enqueue({ requestId: AFTER, event: JSON.stringify(AFTER) });
        start(bundle, api);
        const served = await expectServedAfter(api);
        const errorLine =
          first
            .output()
            .split("\n")
            .find((line) => line.includes(`uncaught error, the process will exit: Error: ${message}`)) ?? "";
        observe(
          `exit ${code}; log: "${errorLine.trim()}"; ${describeReplies(api, VICTIM)}; restarted: ${served}`,
        );
        expect(code).to.not.equal(0);
        expect(errorLine).to.include(message);
        const [reply] = api.repliesTo(VICTIM);
        expect(reply?.lastChunk, "ends with a last chunk").to.equal(true);
        expect(reply?.trailers["lambda-runtime-function-error-type"]).to.equal("Error");
        expect(trailerError(reply).errorMessage).to.equal(message);
        expectNoCleanSuccess(api);
      },
    );
  }
});
