// AWS_LAMBDA_MAX_CONCURRENCY in-process (workers: 0): N pollers, isolated invocations, the plan, the invoke store.
// (Worker threads and errors nobody caught run in child processes: test/faults/concurrency.faults.test.ts.)
import { expect } from "chai";
import { LambdaRuntime, type AnyLambdaHandler, type LambdaContext } from "../../runtime";
import { planConcurrency, sharesOf, type ConcurrencyPlan } from "../../runtime/concurrency/plan";
import { installInvokeStore, PROTECTED_KEYS, ScopeInvokeStore } from "../../runtime/concurrency/invokeStore";
import { currentInvocation, runInInvocation } from "../../runtime/invocationScope";
import { FakeRuntimeApi, type Exchange } from "../helpers/fakeRuntimeApi";
import { LAMBDA_ENV } from "../helpers/runtimeHarness";

/** Our runtime serving `concurrency` invocations at once on this thread, against a fresh fake. */
async function startConcurrent(
  handler: AnyLambdaHandler,
  concurrency: number,
): Promise<{
  api: FakeRuntimeApi;
  runtime: LambdaRuntime;
  fatal: Error[];
  logs: string[];
  done: Promise<void>;
}> {
  const api = await new FakeRuntimeApi().start();
  const fatal: Error[] = [];
  const logs: string[] = [];
  const runtime = new LambdaRuntime(handler, {
    runtimeApi: api.address,
    env: LAMBDA_ENV,
    maxConcurrency: concurrency,
    workers: 0,
    log: { warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    onFatalError: (error) => fatal.push(error),
  });
  return { api, runtime, fatal, logs, done: runtime.run() };
}

/** `/next` polls that are waiting for an event (not yet answered). */
function waitingPolls(api: FakeRuntimeApi): Exchange[] {
  return api.exchanges.filter((exchange) => exchange.isNext && exchange.answer === undefined);
}

/** The body after the prelude's 8 NULs. */
function bodyOf(exchange: Exchange | undefined): string {
  const text = exchange?.body.toString("latin1") ?? "";
  const nuls = text.indexOf("\0".repeat(8));
  return nuls === -1 ? text : text.slice(nuls + 8);
}

describe("concurrent invocations: the plan", () => {
  const plan = (options: Parameters<typeof planConcurrency>[0]): ConcurrencyPlan => planConcurrency(options);

  it("is the ordinary loop when AWS_LAMBDA_MAX_CONCURRENCY is unset, empty or 1", () => {
    expect(plan({ env: {} })).to.deep.equal({ role: "single" });
    expect(plan({ env: { AWS_LAMBDA_MAX_CONCURRENCY: "" } })).to.deep.equal({ role: "single" });
    expect(plan({ env: { AWS_LAMBDA_MAX_CONCURRENCY: "1" } })).to.deep.equal({ role: "single" });
    expect(plan({ env: { AWS_LAMBDA_MAX_CONCURRENCY: "64" }, maxConcurrency: 1 })).to.deep.equal({
      role: "single",
    });
  });

  it("spreads N over AWS_LAMBDA_NODEJS_WORKER_COUNT workers (never more than N) from the main thread", () => {
    expect(
      plan({
        env: { AWS_LAMBDA_MAX_CONCURRENCY: "10", AWS_LAMBDA_NODEJS_WORKER_COUNT: "4" },
        workerEntry: "/e.mjs",
      }),
    ).to.deep.equal({ role: "supervisor", maxConcurrency: 10, shares: [3, 3, 2, 2], workerEntry: "/e.mjs" });
    expect(
      plan({
        env: { AWS_LAMBDA_MAX_CONCURRENCY: "2", AWS_LAMBDA_NODEJS_WORKER_COUNT: "8" },
        workerEntry: "/e.mjs",
      }),
    ).to.include({ role: "supervisor" });
    expect(sharesOf(2, 2)).to.deep.equal([1, 1]);
    expect(sharesOf(64, 3)).to.deep.equal([22, 21, 21]);
  });

  it("defaults to one worker per available CPU, and process.argv[1] as the workers' entry", () => {
    const { availableParallelism } = process.getBuiltinModule("node:os");
    const planned = plan({ env: { AWS_LAMBDA_MAX_CONCURRENCY: "1000" } });
    expect(planned).to.deep.include({ role: "supervisor", workerEntry: process.argv[1] });
    expect((planned as Extract<ConcurrencyPlan, { role: "supervisor" }>).shares).to.have.length(
      Math.min(1000, availableParallelism()),
    );
  });

  it("serves on this thread alone with workers: 0 (option or variable)", () => {
    expect(plan({ env: {}, maxConcurrency: 5, workers: 0 })).to.deep.equal({ role: "pollers", pollers: 5 });
    expect(
      plan({ env: { AWS_LAMBDA_MAX_CONCURRENCY: "5", AWS_LAMBDA_NODEJS_WORKER_COUNT: "0" } }),
    ).to.deep.equal({ role: "pollers", pollers: 5 });
  });

  it("refuses settings that are not whole numbers, naming the variable or the option", () => {
    expect(() => plan({ env: { AWS_LAMBDA_MAX_CONCURRENCY: "lots" } })).to.throw(
      RangeError,
      /^AWS_LAMBDA_MAX_CONCURRENCY must be a whole number of at least 1, got "lots"\.$/,
    );
    expect(() => plan({ env: { AWS_LAMBDA_MAX_CONCURRENCY: "0" } })).to.throw(
      RangeError,
      /at least 1, got "0"/,
    );
    expect(() =>
      plan({ env: { AWS_LAMBDA_MAX_CONCURRENCY: "4", AWS_LAMBDA_NODEJS_WORKER_COUNT: "-1" } }),
    ).to.throw(RangeError, /^AWS_LAMBDA_NODEJS_WORKER_COUNT must be a whole number of at least 0/);
    expect(() => plan({ env: {}, maxConcurrency: 2.5 })).to.throw(RangeError, /^maxConcurrency must be/);
    expect(() => plan({ env: {}, maxConcurrency: 4, workers: -2 })).to.throw(RangeError, /^workers must be/);
  });

  it("makes a bad setting fatal for the runtime, with the variable named", async () => {
    const fatal: Error[] = [];
    const runtime = new LambdaRuntime(async () => undefined, {
      runtimeApi: "127.0.0.1:9",
      env: { AWS_LAMBDA_MAX_CONCURRENCY: "many" },
      onFatalError: (error) => fatal.push(error),
    });
    await runtime.run();
    expect(fatal.map((error) => error.message)).to.deep.equal([
      'AWS_LAMBDA_MAX_CONCURRENCY must be a whole number of at least 1, got "many".',
    ]);
  });
});

describe("concurrent invocations on one thread (maxConcurrency, workers: 0)", () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  async function started(handler: AnyLambdaHandler, concurrency: number) {
    const run = await startConcurrent(handler, concurrency);
    stops.push(async () => {
      run.runtime.stop();
      await run.api.close();
      await run.done;
    });
    return run;
  }

  it("holds N concurrent /next polls, each on its own connection, and serves N invocations at once", async () => {
    const concurrency = 6;
    let running = 0;
    let peak = 0;
    let release: () => void = () => undefined;
    const allRunning = new Promise<void>((resolve) => (release = resolve));
    const { api } = await started(async (_event, writer, context) => {
      peak = Math.max(peak, ++running);
      if (running === concurrency) release();
      await allRunning;
      await writer.writeAndFinish(context.requestId);
      running--;
    }, concurrency);
    await api.until(() => waitingPolls(api).length === concurrency, `${concurrency} waiting polls`);
    expect(new Set(waitingPolls(api).map((poll) => poll.connection)).size).to.equal(concurrency);
    const served = await api.serve(12, "{}");
    expect(peak).to.equal(concurrency);
    for (const invocation of served) expect(bodyOf(invocation.reply)).to.equal(invocation.requestId);
  });

  it("gives each invocation its own context, deadline, signal and scope; leaves _X_AMZN_TRACE_ID alone", async () => {
    delete process.env._X_AMZN_TRACE_ID;
    const seen = new Map<string, { context: LambdaContext; scope: unknown; store: unknown; env: unknown }>();
    let arrived = 0;
    let release: () => void = () => undefined;
    const bothArrived = new Promise<void>((resolve) => (release = resolve));
    const { api } = await started(async (event, writer, context) => {
      if (++arrived === 2) release();
      await bothArrived;
      // After an await: the scope followed the invocation, whichever ran in between.
      const store = (globalThis as { awslambda?: { InvokeStore?: ScopeInvokeStore } }).awslambda?.InvokeStore;
      seen.set(context.requestId, {
        context,
        scope: currentInvocation(),
        store: { requestId: store?.getRequestId(), traceId: store?.getXRayTraceId() },
        env: process.env._X_AMZN_TRACE_ID,
      });
      if (event.toString() === '"slow"') {
        // Stops when its signal says the deadline passed, without writing.
        await new Promise((resolve) => context.signal.addEventListener("abort", resolve));
        return;
      }
      await writer.writeAndFinish("done");
    }, 2);
    const soon = String(Date.now() + 300);
    const later = String(Date.now() + 60_000);
    api.enqueue({
      requestId: "slow",
      event: '"slow"',
      headers: { "Lambda-Runtime-Deadline-Ms": soon, "Lambda-Runtime-Trace-Id": "Root=1-slow" },
    });
    api.enqueue({
      requestId: "quick",
      event: '"quick"',
      headers: { "Lambda-Runtime-Deadline-Ms": later, "Lambda-Runtime-Trace-Id": "Root=1-quick" },
    });
    await api.waitForReplies(2);
    const slow = seen.get("slow");
    const quick = seen.get("quick");
    expect(slow?.context.deadlineMs).to.equal(Number(soon));
    expect(quick?.context.deadlineMs).to.equal(Number(later));
    expect(slow?.context.traceId).to.equal("Root=1-slow");
    expect(quick?.context.traceId).to.equal("Root=1-quick");
    expect(slow?.context.signal.aborted).to.equal(true);
    expect(quick?.context.signal.aborted).to.equal(false);
    expect(slow?.scope).to.deep.include({ requestId: "slow", traceId: "Root=1-slow" });
    expect(quick?.scope).to.deep.include({ requestId: "quick", traceId: "Root=1-quick" });
    expect(slow?.store).to.deep.equal({ requestId: "slow", traceId: "Root=1-slow" });
    expect(quick?.store).to.deep.equal({ requestId: "quick", traceId: "Root=1-quick" });
    expect([slow?.env, quick?.env]).to.deep.equal([undefined, undefined]);
    // The slow one overran its deadline: it failed alone, before any byte; the quick one succeeded.
    expect(api.repliesTo("slow").map((reply) => reply.path.split("/").pop())).to.deep.equal(["error"]);
    expect(api.repliesTo("slow")[0]?.headers["lambda-runtime-function-error-type"]).to.equal(
      "InvocationTimeoutError",
    );
    expect(bodyOf(api.repliesTo("quick")[0])).to.equal("done");
  });

  it("fails only the invocation whose handler throws", async () => {
    const { api } = await started(async (event, writer, context) => {
      if (event.toString() === '"fail"') throw new TypeError(`failed ${context.requestId}`);
      await writer.writeAndFinish(context.requestId);
    }, 3);
    for (const id of ["a", "fail", "b", "c"]) api.enqueue({ requestId: id, event: JSON.stringify(id) });
    await api.waitForReplies(4);
    expect(api.repliesTo("fail")[0]?.path).to.match(/\/fail\/error$/);
    expect(JSON.parse(api.repliesTo("fail")[0]?.body.toString() ?? "{}")).to.include({
      errorType: "TypeError",
      errorMessage: "failed fail",
    });
    for (const id of ["a", "b", "c"]) expect(bodyOf(api.repliesTo(id)[0])).to.equal(id);
  });

  it("stops at once when every poller is idle", async () => {
    const run = await startConcurrent(async (_event, writer) => writer.finish(), 4);
    await run.api.until(() => waitingPolls(run.api).length === 4, "4 waiting polls");
    run.runtime.stop();
    await run.done;
    expect(run.fatal).to.deep.equal([]);
    await run.api.close();
  });

  it("is fatal, once, when /next answers 500", async () => {
    const run = await startConcurrent(async (_event, writer) => writer.finish(), 3);
    stops.push(() => run.api.close());
    await run.api.until(() => waitingPolls(run.api).length === 3, "3 waiting polls");
    run.api.inject(() => true, { kind: "answer", at: "head", status: 500, body: '{"errorType":"Boom"}' });
    run.api.dropWaitingPolls();
    await run.done;
    expect(run.fatal).to.have.length(1);
    expect(run.fatal[0]?.message).to.match(/answered GET \/2018-06-01\/runtime\/invocation\/next with 500/);
  });
});

describe("concurrent invocations: the AWS-compatible invoke store", () => {
  const store = new ScopeInvokeStore();

  it("answers from the current invocation, '-' and undefined outside any", () => {
    expect(store.getRequestId()).to.equal("-");
    // What the AWS SDK's recursion-detection middleware calls (without checking the method exists).
    expect([store.getTraceparent(), store.getTracestate(), store.getBaggage()]).to.deep.equal([
      undefined,
      undefined,
      undefined,
    ]);
    expect(store.getXRayTraceId()).to.equal(undefined);
    expect(store.hasContext()).to.equal(false);
    runInInvocation({ requestId: "r1", traceId: "Root=1-a", tenantId: "t1" }, () => {
      expect(store.getRequestId()).to.equal("r1");
      expect(store.getXRayTraceId()).to.equal("Root=1-a");
      expect(store.getTenantId()).to.equal("t1");
      expect(store.get(PROTECTED_KEYS.REQUEST_ID)).to.equal("r1");
      expect(store.getContext()).to.deep.equal({
        [PROTECTED_KEYS.REQUEST_ID]: "r1",
        [PROTECTED_KEYS.X_RAY_TRACE_ID]: "Root=1-a",
        [PROTECTED_KEYS.TENANT_ID]: "t1",
      });
    });
  });

  it("keeps values set in one invocation to that invocation, and refuses protected keys", async () => {
    const inA = runInInvocation({ requestId: "a", traceId: undefined, tenantId: undefined }, async () => {
      store.set("user", "alice");
      await new Promise((resolve) => setTimeout(resolve, 5));
      return store.get("user");
    });
    const inB = store.run({ [PROTECTED_KEYS.REQUEST_ID]: "b", user: "bob" }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return [store.getRequestId(), store.get("user")];
    });
    expect(await inA).to.equal("alice");
    expect(await inB).to.deep.equal(["b", "bob"]);
    expect(() => store.set(PROTECTED_KEYS.X_RAY_TRACE_ID, "x")).to.throw(/protected Lambda context field/);
    expect(() => store.set("user", "nobody")).to.throw("No context available");
  });

  it("installs on globalThis.awslambda unless one is there or AWS's opt-out is set", () => {
    const holder = globalThis as { awslambda?: Record<string, unknown> };
    const before = holder.awslambda;
    try {
      delete holder.awslambda;
      expect(installInvokeStore({ AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA: "1" })).to.equal(false);
      expect(holder.awslambda).to.equal(undefined);
      holder.awslambda = { streamifyResponse: "kept" };
      expect(installInvokeStore({})).to.equal(true);
      expect(holder.awslambda.InvokeStore).to.be.instanceOf(ScopeInvokeStore);
      expect(holder.awslambda.streamifyResponse).to.equal("kept");
      const installed = holder.awslambda.InvokeStore;
      expect(installInvokeStore({})).to.equal(false);
      expect(holder.awslambda.InvokeStore).to.equal(installed);
    } finally {
      holder.awslambda = before;
    }
  });
});
