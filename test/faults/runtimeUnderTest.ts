// What the fault scenarios share: the victim and the invocation after it, and descriptions of what arrived.
import { expect } from "chai";
import type { LambdaResponseStreamWriter, StreamingLambdaHandlerFunction } from "../../runtime";
import { runChild, type ChildRun } from "../helpers/childRuntime";
import { FakeRuntimeApi, type Exchange } from "../helpers/fakeRuntimeApi";

/** Starts bundled runtimes in child processes, each against a fake Runtime API of its own or a shared one. */
export interface ChildRuntimes {
  /** A fresh fake Runtime API. */
  fakeApi(): Promise<FakeRuntimeApi>;
  /** Starts the bundle at `file` against `api`. */
  start(file: string, api: FakeRuntimeApi): ChildRun;
}

/** Call inside a `describe`: what it starts is killed and closed after each test. */
export function childRuntimes(): ChildRuntimes {
  const children: ChildRun[] = [];
  const apis: FakeRuntimeApi[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) child.child.kill();
    await Promise.all(apis.splice(0).map((api) => api.close()));
  });
  return {
    async fakeApi() {
      const api = await new FakeRuntimeApi().start();
      apis.push(api);
      return api;
    },
    start(file, api) {
      const run = runChild(file, api.address);
      children.push(run);
      return run;
    },
  };
}

/** The request id of the invocation a scenario makes fail, and of the one that must be served after it. */
export const VICTIM = "victim";
export const AFTER = "after";

/**
 * A streaming handler that runs `faulty` for the event `"victim"` and answers any other event with a prelude
 * and `served <event>`, so a scenario can check that the invocation after the faulty one is served.
 */
export function victimThenEcho(faulty: StreamingLambdaHandlerFunction): StreamingLambdaHandlerFunction {
  return async (event, writer, context) => {
    if (event.toString() === JSON.stringify(VICTIM)) return faulty(event, writer, context);
    await echo(event, writer);
  };
}

/** Answers with a prelude and `served <event>`. */
export async function echo(event: Buffer, writer: LambdaResponseStreamWriter): Promise<void> {
  await writer.writeStatusAndHeaders({ statusCode: 200, headers: { "Content-Type": "text/plain" } });
  await writer.writeAndFinish(`served ${event.toString()}`);
}

/** Queues the victim invocation then the one after it. */
export function enqueueVictimThenAfter(api: FakeRuntimeApi): void {
  api.enqueue({ requestId: VICTIM, event: JSON.stringify(VICTIM) });
  api.enqueue({ requestId: AFTER, event: JSON.stringify(AFTER) });
}

/** A response that reached the Runtime API complete, without error trailers, and was accepted. */
export function isCleanSuccess(exchange: Exchange): boolean {
  return (
    exchange.path.endsWith("/response") &&
    exchange.state === "complete" &&
    exchange.trailers["lambda-runtime-function-error-type"] === undefined &&
    exchange.answer === 202
  );
}

/** One line saying what a reply was and how it ended, for the table's "observed" column. */
export function describeExchange(exchange: Exchange): string {
  const answer = exchange.answer === 202 || exchange.answer === undefined ? "" : ` -> ${exchange.answer}`;
  if (exchange.path.endsWith("/error")) {
    const type = exchange.headers["lambda-runtime-function-error-type"];
    return `/error ${type}${answer}`;
  }
  if (exchange.state === "cut") return `/response cut after ${exchange.bodyLength} B${answer}`;
  if (exchange.state === "open") return `/response still open after ${exchange.bodyLength} B${answer}`;
  if (!/chunked/i.test(exchange.headers["transfer-encoding"] ?? "")) {
    return `/response buffered ${exchange.bodyLength} B${answer}`;
  }
  const type = exchange.trailers["lambda-runtime-function-error-type"];
  return type
    ? `/response stream ended with error trailers (${type})${answer}`
    : `/response stream ended cleanly, ${exchange.bodyLength} B${answer}`;
}

/** What reached the Runtime API for one invocation, e.g. `/error TypeError`. */
export function describeReplies(api: FakeRuntimeApi, requestId: string): string {
  const replies = api.repliesTo(requestId);
  return replies.length === 0 ? "no reply" : replies.map(describeExchange).join(", then ");
}

/** The decoded error a stream's trailers carry. */
export function trailerError(exchange: Exchange | undefined): { errorType: string; errorMessage: string } {
  const encoded = exchange?.trailers["lambda-runtime-function-error-body"];
  expect(encoded, "error body trailer").to.be.a("string");
  return JSON.parse(Buffer.from(encoded as string, "base64").toString("utf8"));
}

/** The JSON error an `/error` request carries. */
export function errorBody(exchange: Exchange | undefined): { errorType: string; errorMessage: string } {
  expect(exchange?.path, "an /error request").to.match(/\/error$/);
  return JSON.parse((exchange as Exchange).body.toString("utf8"));
}

/**
 * Asserts the invocation after the faulty one was served in full (prelude, `served "after"`, clean end) and
 * that the faulty one never produced a clean success; returns a short description of the one after.
 */
export async function expectServedAfter(api: FakeRuntimeApi, requestId = AFTER): Promise<string> {
  await api.until(() => api.repliesTo(requestId).some((e) => e.state !== "open"), `a reply to ${requestId}`);
  const [reply] = api.repliesTo(requestId);
  expect(isCleanSuccess(reply as Exchange), describeExchange(reply as Exchange)).to.equal(true);
  expect((reply as Exchange).body.toString("latin1")).to.match(/\0{8}served "after"$/);
  return "next served";
}

/** Asserts no reply to the invocation was a clean success (a truncated stream must never look complete). */
export function expectNoCleanSuccess(api: FakeRuntimeApi, requestId = VICTIM): void {
  for (const reply of api.repliesTo(requestId)) {
    expect(isCleanSuccess(reply), `${requestId}: ${describeExchange(reply)}`).to.equal(false);
  }
}
