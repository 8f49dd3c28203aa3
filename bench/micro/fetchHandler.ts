// In-process micro-benchmark: fetchHandler's CPU per small streamed response against the writer API's, and by phase.
//
// Run: `npx ts-node --transpile-only bench/micro/fetchHandler.ts [--rounds N] [--per-round N]`.
// No sockets: the real `ResponseStream` writes into a sink that takes every byte at once, so what is measured
// is the CPU a handler spends per invocation (parsing, the Request, the app, reading the body, the writer),
// GC threads included. Cases run interleaved, round after round; ratios are taken within each round, then
// their median, as `npm run bench` does, so a busy machine slows both sides of a ratio alike.
//
// The phases are cumulative (each does the one before, then more) and approximate: the cost of a Request's
// abort-signal bookkeeping (a FinalizationRegistry cleanup) lands in whichever phase runs when it comes due.
// Out of process, the same work costs about twice as much per invocation (see bench/micro/webProcess.ts).
import { parseArgs } from "node:util";
import { createContext, functionIdentity } from "../../runtime/context";
import type { RuntimeApiResponse, StreamingRequest } from "../../runtime/connection";
import type { LambdaContext, StreamingLambdaHandlerFunction } from "../../runtime/handler";
import { parseRestApiEvent } from "../../runtime/restApiEvent";
import { ResponseStream } from "../../runtime/responseStream";
import { requestFromEvent } from "../../runtime/web/requestFromEvent";
import { sendResponse } from "../../runtime/web/sendResponse";
import { honoFetch, plainFetch, writer } from "../handlers/oursWeb";
import { benchFetchFunction, webEvent } from "../handlers/webApp";
import { median, ratiosPerRound, summarize } from "../stats";

/** The small streamed response of scenario (i): four 256-byte chunks. */
const EVENT = Buffer.from(JSON.stringify(webEvent({ chunks: 4, chunkSize: 256 })), "utf8");
const ANSWER: RuntimeApiResponse = { statusCode: 202, headers: {}, body: Buffer.alloc(0) };
const WRITER = "writer API";
const BARE_FETCH = "fetchHandler, bare fetch";
const HONO = "fetchHandler, Hono app";

/** One measured way of serving the event, run `count` times back to back. */
interface Case {
  readonly name: string;
  run(count: number): Promise<void>;
}

/** A streamed Runtime API request that takes every byte at once and counts them. */
class SinkRequest implements StreamingRequest {
  bytes = 0;
  readonly response = Promise.resolve(ANSWER);
  write(chunk: Uint8Array): boolean {
    this.bytes += chunk.length;
    return true;
  }
  drained(): Promise<void> {
    return Promise.resolve();
  }
  end(): Promise<RuntimeApiResponse> {
    return this.response;
  }
}

let invocation = 0;

/** A fresh writer and context, as the loop makes them per invocation. */
function invocationParts(): { stream: ResponseStream; sink: SinkRequest; context: LambdaContext } {
  const sink = new SinkRequest();
  const stream = new ResponseStream(() => sink);
  const context = createContext(
    {
      requestId: `req-${invocation++}`,
      event: EVENT,
      headers: { "lambda-runtime-deadline-ms": String(Date.now() + 60_000) },
    } as never,
    functionIdentity({}),
  );
  return { stream, sink, context };
}

/** A case that runs a whole streaming handler per invocation and checks it sent the whole response. */
function handlerCase(name: string, handler: StreamingLambdaHandlerFunction): Case {
  return {
    name,
    async run(count) {
      for (let i = 0; i < count; i++) {
        const { stream, sink, context } = invocationParts();
        await handler(EVENT, stream, context);
        if (!stream.finished || sink.bytes < 4 * 256) throw new Error(`${name} sent ${sink.bytes} bytes`);
      }
    },
  };
}

/** fetchHandler's work up to a point, by hand: the differences between phases cost each step. */
const PHASES: Case[] = [
  {
    name: "phase: parse event",
    async run(count) {
      for (let i = 0; i < count; i++) parseRestApiEvent(EVENT);
    },
  },
  {
    name: "phase: + build Request",
    async run(count) {
      for (let i = 0; i < count; i++) {
        const { context } = invocationParts();
        requestFromEvent(parseRestApiEvent(EVENT), { signal: context.signal });
      }
    },
  },
  {
    name: "phase: + app's Response",
    async run(count) {
      for (let i = 0; i < count; i++) {
        const { context } = invocationParts();
        benchFetchFunction(requestFromEvent(parseRestApiEvent(EVENT), { signal: context.signal }));
      }
    },
  },
  {
    name: "phase: + send it",
    async run(count) {
      for (let i = 0; i < count; i++) {
        const { stream, context } = invocationParts();
        const request = requestFromEvent(parseRestApiEvent(EVENT), { signal: context.signal });
        await sendResponse(benchFetchFunction(request), stream, { signal: context.signal });
      }
    },
  },
];

const CASES: Case[] = [
  handlerCase(WRITER, writer as StreamingLambdaHandlerFunction),
  handlerCase(BARE_FETCH, plainFetch),
  handlerCase(HONO, honoFetch),
  ...PHASES,
];

/** Runs every case `rounds` times, interleaved, and prints CPU µs per invocation and the ratios to the writer. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: "string", default: "15" }, "per-round": { type: "string", default: "2000" } },
  });
  const rounds = Number(values.rounds);
  const perRound = Number(values["per-round"]);
  for (const c of CASES) await c.run(perRound); // warm-up: JIT, the chunk cache, undici's lazy load
  const samples = new Map<string, number[]>(CASES.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const c of CASES) {
      const start = process.cpuUsage();
      await c.run(perRound);
      const used = process.cpuUsage(start);
      samples.get(c.name)?.push((used.user + used.system) / perRound);
    }
  }
  console.log(`CPU µs per invocation, median (min-max) of ${rounds} rounds of ${perRound}:`);
  for (const [name, values] of samples) {
    const { median: mid, min, max } = summarize(values);
    console.log(`  ${name.padEnd(26)} ${mid.toFixed(1)} (${min.toFixed(1)}-${max.toFixed(1)})`);
  }
  const of = (name: string): number[] => samples.get(name) ?? [];
  for (const name of [BARE_FETCH, HONO]) {
    const ratio = median(ratiosPerRound(of(WRITER), of(name)));
    console.log(`writer ÷ ${name} (per-round median): ${ratio.toFixed(2)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
