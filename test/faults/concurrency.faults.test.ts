// Faults among concurrent invocations (AWS_LAMBDA_MAX_CONCURRENCY), on worker threads in a child process.
import { expect } from "chai";
import * as path from "node:path";
import { bundleHandler, runChild, type ChildRun } from "../helpers/childRuntime";
import { Gate, type Arrival } from "../helpers/gate";
import { FakeRuntimeApi, isNext, isReplyTo, type Exchange } from "../helpers/fakeRuntimeApi";
import { describeReplies, errorBody, isCleanSuccess, trailerError } from "./runtimeUnderTest";
import { scenarioGroup } from "./scenarioTable";

const scenario = scenarioGroup("Concurrency");

/** The fixture's event. */
function eventOf(kind: string, gate: Gate): string {
  return JSON.stringify({ kind, gate: gate.port });
}

/** A deadline this many ms from now, as the `/next` header. */
function deadlineIn(ms: number): Record<string, string> {
  return { "Lambda-Runtime-Deadline-Ms": String(Date.now() + ms) };
}

/** `/next` polls waiting for an event. */
function waitingPolls(api: FakeRuntimeApi): number {
  return api.exchanges.filter((exchange) => exchange.isNext && exchange.answer === undefined).length;
}

/** The body after the prelude's 8 NULs (all of it without a prelude). */
function bodyAfterPrelude(reply: Exchange | undefined): string {
  const text = reply?.body.toString("latin1") ?? "";
  const nuls = text.indexOf("\0".repeat(8));
  return nuls === -1 ? text : text.slice(nuls + 8);
}

/**
 * Asserts that every byte of the invocation's response belongs to it: each chunk is `<id>:<n>;` (the first
 * with its thread and module instance), numbered from 0 without a gap; with `complete`, exactly 0 to 4.
 * Returns the chunks' count.
 */
function expectOwnBytes(api: FakeRuntimeApi, id: string, complete: boolean): number {
  const body = bodyAfterPrelude(api.repliesTo(id)[0]);
  const parts = body.split(";").filter((part) => part !== "" && !/^(thread|init)=/.test(part));
  parts.forEach((part, n) => expect(part, `chunk ${n} of ${id}`).to.equal(`${id}:${n}`));
  if (complete) expect(parts).to.have.length(5);
  return parts.length;
}

/** The reply's outcome in a word or two, for the table. */
function outcomeOf(api: FakeRuntimeApi, id: string): string {
  const reply = api.repliesTo(id)[0];
  if (!reply) return "no reply";
  if (reply.path.endsWith("/error")) return `/error ${errorBody(reply).errorType}`;
  if (reply.state === "cut") return "cut";
  const type = reply.trailers["lambda-runtime-function-error-type"];
  if (type) return `trailers ${type}`;
  return isCleanSuccess(reply) ? "ok" : describeReplies(api, id);
}

describe("fault injection: concurrent invocations (worker threads, child process)", () => {
  let bundle: string;
  let throwsOnLoad: string;
  const cleanups: Array<() => Promise<void> | void> = [];

  before(async function () {
    this.timeout(30_000);
    [bundle, throwsOnLoad] = await Promise.all([
      bundleHandler(path.join(__dirname, "fixtures/concurrentHandler.ts")),
      bundleHandler(path.join(__dirname, "../fixtures/throwsOnLoad.ts")),
    ]);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A fake Runtime API, a gate and the fixture's bundle serving `concurrency` at once on `workers` threads. */
  async function startConcurrent(
    concurrency: number,
    workers: number,
    file = bundle,
  ): Promise<{ api: FakeRuntimeApi; gate: Gate; run: ChildRun }> {
    const api = await new FakeRuntimeApi().start();
    const gate = await new Gate().start();
    const run = runChild(file, api.address, {
      AWS_LAMBDA_MAX_CONCURRENCY: String(concurrency),
      AWS_LAMBDA_NODEJS_WORKER_COUNT: String(workers),
    });
    cleanups.push(
      () => api.close(),
      () => gate.close(),
      () => void run.child.kill("SIGKILL"),
    );
    return { api, gate, run };
  }

  /** Queues one invocation of each kind (ids `<kind>-<n>`), returning the ids. */
  function enqueue(
    api: FakeRuntimeApi,
    gate: Gate,
    kinds: readonly string[],
    headers?: (kind: string) => Record<string, string> | undefined,
  ): string[] {
    return kinds.map((kind, n) => {
      const requestId = `${kind}-${n}`;
      const extra = headers?.(kind);
      api.enqueue({ requestId, event: eventOf(kind, gate), ...(extra ? { headers: extra } : {}) });
      return requestId;
    });
  }

  /** Waits until every one of `ids` has a reply that ended. */
  function repliesEnded(api: FakeRuntimeApi, ids: readonly string[]): Promise<void> {
    return api.until(
      () => ids.every((id) => api.repliesTo(id).some((reply) => reply.state !== "open")),
      `replies to ${ids.join(", ")}`,
    );
  }

  scenario(
    "8 at once on 2 workers: successes, early and mid-stream errors, deadline overruns, a dropped connection",
    "each ends by its phase (ok; /error; trailers; InvocationTimeoutError on /error or in trailers; cut); no byte of one in another's response; all 8 pollers poll again",
    async (observe) => {
      const { api, gate, run } = await startConcurrent(8, 2);
      await api.until(() => waitingPolls(api) === 8, "8 waiting polls");
      const kinds = ["ok", "early-error", "mid-error", "overrun", "overrun-early", "drop", "ok", "ok"];
      api.inject(isReplyTo("drop-5"), { kind: "drop", at: { afterBodyBytes: 200 } });
      const ids = enqueue(api, gate, kinds, (kind) =>
        kind.startsWith("overrun") ? deadlineIn(1500) : undefined,
      );
      await gate.until(ids);
      gate.open();
      await repliesEnded(api, ids);
      const outcomes = ids.map((id) => `${id}: ${outcomeOf(api, id)}`);
      const threads = new Set([...gate.arrivals.values()].map((arrival) => arrival.thread));
      observe(`${outcomes.join("; ")}; on ${threads.size} worker threads`);
      expect(outcomes).to.deep.equal([
        "ok-0: ok",
        "early-error-1: /error TypeError",
        "mid-error-2: trailers RangeError",
        "overrun-3: trailers InvocationTimeoutError",
        "overrun-early-4: /error InvocationTimeoutError",
        "drop-5: cut",
        "ok-6: ok",
        "ok-7: ok",
      ]);
      expect(threads.size).to.equal(2);
      expect(threads.has(0), "no invocation on the main thread").to.equal(false);
      for (const id of ["ok-0", "ok-6", "ok-7"]) expectOwnBytes(api, id, true);
      for (const id of ["mid-error-2", "overrun-3", "drop-5"]) expectOwnBytes(api, id, false);
      expect(trailerError(api.repliesTo("mid-error-2")[0]).errorMessage).to.equal(
        "mid-stream error in mid-error-2",
      );
      // Every poller survived its invocation's fault (the dropped connection's included) and polls again.
      await api.until(() => waitingPolls(api) === 8, "8 waiting polls again");
      const loaded = run.output().match(/fixture: module loaded on thread \d+/g) ?? [];
      expect(loaded).to.have.length(2);
      expect(loaded).to.not.include("fixture: module loaded on thread 0");
    },
  );

  const attributed: Array<[string, string, string]> = [
    ["an uncaught exception in one invocation's timer", "throw-in-timer", "thrown from a timer in"],
    ["an unhandled rejection in one invocation", "reject-unhandled", "rejected, unhandled, in"],
  ];
  for (const [name, kind, message] of attributed) {
    scenario(
      `${name}, 4 at once on one worker`,
      "that invocation alone fails (error trailers with the real error); the others end ok; the worker stays (same module instance serves the next)",
      async (observe) => {
        const { api, gate, run } = await startConcurrent(4, 1);
        await api.until(() => waitingPolls(api) === 4, "4 waiting polls");
        const ids = enqueue(api, gate, [kind, "ok", "ok", "ok"]);
        await gate.until(ids);
        gate.open();
        await repliesEnded(api, ids);
        const [victim, ...others] = ids as [string, ...string[]];
        api.enqueue({ requestId: "next", event: eventOf("ok", gate) });
        await gate.until(["next"]);
        gate.open(["next"]);
        await repliesEnded(api, ["next"]);
        const inits = new Set([...gate.arrivals.values()].map((arrival) => arrival.init));
        observe(
          `${ids.map((id) => `${id}: ${outcomeOf(api, id)}`).join("; ")}; next: ${outcomeOf(api, "next")}; ` +
            `${inits.size} module instance(s)`,
        );
        expect(outcomeOf(api, victim)).to.equal("trailers Error");
        expect(trailerError(api.repliesTo(victim)[0]).errorMessage).to.equal(`${message} ${victim}`);
        for (const id of [...others, "next"]) expect(outcomeOf(api, id)).to.equal("ok");
        expect(inits.size).to.equal(1);
        expect(run.output()).to.include(
          `${victim}: uncaught error in this invocation's code, which fails with it`,
        );
      },
    );
  }

  scenario(
    "an uncaught error outside any invocation, 4 at once on 2 workers",
    "the invocations in flight on that worker fail (trailers); the other worker's end ok; a new worker replaces it and serves",
    async (observe) => {
      const { api, gate, run } = await startConcurrent(4, 2);
      await api.until(() => waitingPolls(api) === 4, "4 waiting polls");
      const ids = enqueue(api, gate, ["crash-outside", "ok", "ok", "ok"]);
      await gate.until(ids);
      const crashed = gate.arrivals.get("crash-outside-0") as Arrival;
      const onCrashed = ids.filter((id) => gate.arrivals.get(id)?.thread === crashed.thread);
      const onOther = ids.filter((id) => !onCrashed.includes(id));
      gate.open(["crash-outside-0"]);
      await repliesEnded(api, onCrashed);
      gate.open(onOther);
      await repliesEnded(api, onOther);
      // The replacement polls: 4 polls wait again, and 4 invocations reach every poller, the new ones included.
      await api.until(() => waitingPolls(api) === 4, "4 waiting polls after the replacement");
      const next = ["n0", "n1", "n2", "n3"];
      for (const id of next) api.enqueue({ requestId: id, event: eventOf("ok", gate) });
      await gate.until(next);
      gate.open(next);
      await repliesEnded(api, next);
      const replacement = next.filter((id) => {
        const init = gate.arrivals.get(id)?.init;
        return ids.every((first) => gate.arrivals.get(first)?.init !== init);
      });
      observe(
        `crashed worker: ${onCrashed.map((id) => `${id} ${outcomeOf(api, id)}`).join(", ")}; other worker: ` +
          `${onOther.map((id) => `${id} ${outcomeOf(api, id)}`).join(", ")}; next 4 ok, ` +
          `${replacement.length} on the replacement`,
      );
      expect(onCrashed).to.have.length(2);
      for (const id of onCrashed) {
        expect(outcomeOf(api, id)).to.equal("trailers Error");
        expect(trailerError(api.repliesTo(id)[0]).errorMessage).to.equal("thrown outside any invocation");
        expectOwnBytes(api, id, false);
      }
      for (const id of [...onOther, ...next]) {
        expect(outcomeOf(api, id)).to.equal("ok");
        expectOwnBytes(api, id, true);
      }
      expect(replacement).to.have.length(2);
      expect(run.output()).to.match(/worker \d ended \(exit code 3\); starting a new one in its place/);
    },
  );

  scenario(
    "the handler module throws while loading, on 2 workers",
    "/init/error with the error, then exit 1; the main thread never loads the module",
    async (observe) => {
      const { api, run } = await startConcurrent(4, 2, throwsOnLoad);
      const code = await run.exit;
      const initErrors = api.exchanges.filter((exchange) => exchange.path.endsWith("/init/error"));
      observe(`exit ${code}; ${initErrors.length} /init/error ${initErrors[0]?.error?.errorType}`);
      expect(code).to.equal(1);
      expect(initErrors.length).to.be.within(1, 2);
      expect(initErrors[0]?.error?.errorType).to.equal("ReferenceError");
      expect(api.exchanges.filter((exchange) => exchange.isNext)).to.deep.equal([]);
      expect(run.output()).to.match(/worker \d ended \(exit code 1\) before it could serve/);
    },
  );

  scenario(
    "the Runtime API answers /next with 500, on 2 workers",
    "the process exits 1 (a worker's fatal error ends the environment, as with one invocation at a time)",
    async (observe) => {
      const { api, run } = await startConcurrent(4, 2);
      await api.until(() => waitingPolls(api) === 4, "4 waiting polls");
      api.inject(isNext, { kind: "answer", at: "head", status: 500, body: '{"errorType":"Boom"}' });
      api.dropWaitingPolls();
      const code = await run.exit;
      const line = run
        .output()
        .split("\n")
        .find((text) => text.includes("ended on a fatal error"));
      observe(`exit ${code}; ${line?.split("\t").pop() ?? "no fatal line"}`);
      expect(code).to.equal(1);
      expect(line).to.match(/worker \d ended on a fatal error/);
      expect(run.output()).to.match(/answered GET \/2018-06-01\/runtime\/invocation\/next with 500/);
    },
  );

  scenario(
    "SIGTERM with invocations in flight on 2 workers",
    "they end ok, then the process exits 0",
    async (observe) => {
      const { api, gate, run } = await startConcurrent(4, 2);
      await api.until(() => waitingPolls(api) === 4, "4 waiting polls");
      const ids = enqueue(api, gate, ["ok", "ok"]);
      await gate.until(ids);
      run.child.kill("SIGTERM");
      gate.open();
      const code = await run.exit;
      observe(`${ids.map((id) => `${id}: ${outcomeOf(api, id)}`).join("; ")}; exit ${code}`);
      for (const id of ids) expect(outcomeOf(api, id)).to.equal("ok");
      expect(code).to.equal(0);
    },
  );

  scenario(
    "AWS_LAMBDA_MAX_CONCURRENCY=1",
    "no worker thread: the ordinary loop on the main thread, one poll",
    async (observe) => {
      const { api, gate, run } = await startConcurrent(1, 2);
      const ids = enqueue(api, gate, ["ok"]);
      await gate.until(ids);
      gate.open();
      await repliesEnded(api, ids);
      await api.until(() => waitingPolls(api) === 1, "the next poll");
      const thread = gate.arrivals.get("ok-0")?.thread;
      observe(`${outcomeOf(api, "ok-0")} on thread ${thread}; ${api.connections} connection`);
      expect(thread).to.equal(0);
      expect(api.connections).to.equal(1);
      expect(run.output()).to.include("fixture: module loaded on thread 0");
    },
  );
});
