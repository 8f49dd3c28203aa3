// Runs our runtime in-process against a FaultyRuntimeApi, and describes what reached the Runtime API.
import { expect } from "chai";
import {
  LambdaRuntime,
  type AnyLambdaHandler,
  type LambdaResponseStreamWriter,
  type StreamingLambdaHandlerFunction,
} from "../../runtime";
import { LAMBDA_ENV } from "../helpers/runtimeHarness";
import { FaultyRuntimeApi, type Exchange } from "./faultyRuntimeApi";

/** A runtime serving a faulty Runtime API, with what it logged and any fatal error. */
export interface RuntimeUnderTest {
  readonly api: FaultyRuntimeApi;
  readonly logs: string[];
  readonly fatal: Error[];
  /** Resolves when the runtime's loop has ended. */
  readonly done: Promise<void>;
  /** Stops the runtime and the fake (the fake first, so a runtime stuck on it is released). */
  stop(): Promise<void>;
}

const running = new Set<RuntimeUnderTest>();

/** Starts a fake Runtime API, lets `prepare` queue events and faults, then starts our runtime against it. */
export async function startRuntime(
  handler: AnyLambdaHandler,
  prepare: (api: FaultyRuntimeApi) => void = () => undefined,
): Promise<RuntimeUnderTest> {
  const api = await new FaultyRuntimeApi().start();
  prepare(api);
  const logs: string[] = [];
  const fatal: Error[] = [];
  const runtime = new LambdaRuntime(handler, {
    runtimeApi: api.address,
    env: LAMBDA_ENV,
    log: { warn: (m) => logs.push(`WARN ${m}`), error: (m) => logs.push(`ERROR ${m}`) },
    onFatalError: (error) => fatal.push(error),
  });
  const done = runtime.run();
  const underTest: RuntimeUnderTest = {
    api,
    logs,
    fatal,
    done,
    async stop() {
      running.delete(underTest);
      runtime.stop();
      await api.close();
      await done;
    },
  };
  running.add(underTest);
  return underTest;
}

/** Stops every runtime started by {@link startRuntime} that is still running (for `afterEach`). */
export async function stopAllRuntimes(): Promise<void> {
  await Promise.all([...running].map((r) => r.stop()));
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
export function enqueueVictimThenAfter(api: FaultyRuntimeApi): void {
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
export function describeReplies(api: FaultyRuntimeApi, requestId: string): string {
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
export async function expectServedAfter(api: FaultyRuntimeApi, requestId = AFTER): Promise<string> {
  await api.until(() => api.repliesTo(requestId).some((e) => e.state !== "open"), `a reply to ${requestId}`);
  const [reply] = api.repliesTo(requestId);
  expect(isCleanSuccess(reply as Exchange), describeExchange(reply as Exchange)).to.equal(true);
  expect((reply as Exchange).body.toString("latin1")).to.match(/\0{8}served "after"$/);
  return "next served";
}

/** Asserts no reply to the invocation was a clean success (a truncated stream must never look complete). */
export function expectNoCleanSuccess(api: FaultyRuntimeApi, requestId = VICTIM): void {
  for (const reply of api.repliesTo(requestId)) {
    expect(isCleanSuccess(reply), `${requestId}: ${describeExchange(reply)}`).to.equal(false);
  }
}
