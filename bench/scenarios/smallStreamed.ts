// (c) Time to first byte and (d) invocations per second for small streamed responses, from the same batches.
import type { Invocation } from "../../test/helpers/fakeRuntimeApi";
import { DEPLOYED_CLIENTS } from "../clients/types";
import type { StreamEvent } from "../handlers/work";
import { percentile } from "../stats";
import { measureBatch, eventBody, type MeasuredBatch } from "./batch";
import { checkStreamed } from "./checks";
import { runSlicedRounds, type Measurements, type RoundTable } from "./rounds";
import type { RatioSpec, Scenario, ScenarioContext } from "./types";

/** A small streamed response: a prelude, then four 256-byte writes. */
const SMALL: StreamEvent = { chunks: 4, chunkSize: 256 };
const EVENT = eventBody(SMALL);

export const smallStreamed: Scenario = {
  letter: "c, d",
  id: "small-streamed",
  title: "Small streamed responses: time to first byte and invocations per second",
  clients: DEPLOYED_CLIENTS,
  placement: "one-core",
  async run(context) {
    const table = await runSmallStreamedRounds(context, this.id, EVENT, (records) =>
      checkStreamed(records, SMALL),
    );
    const versusAws = (metric: string, title: string, op: ">=" | "<=", bound?: number): RatioSpec => ({
      id: `${metric}:ours/aws`,
      title,
      numerator: { metric, series: "ours" },
      denominator: { metric, series: "aws" },
      ...(bound === undefined ? {} : { target: { op, bound } }),
    });
    return {
      metrics: [
        {
          id: "ttfb-p50",
          title: "(c) time to first byte, p50",
          unit: "ms",
          better: "lower",
          digits: 3,
          series: table.ttfbP50 ?? {},
        },
        {
          id: "ttfb-p99",
          title: "(c) time to first byte, p99",
          unit: "ms",
          better: "lower",
          digits: 3,
          series: table.ttfbP99 ?? {},
        },
        {
          id: "small-streamed-rate",
          title: "(d) small streamed invocations/s",
          unit: "inv/s",
          better: "higher",
          digits: 0,
          series: table.invocationsPerSecond ?? {},
        },
        {
          id: "small-streamed-cpu",
          title: "(d) client CPU per small streamed invocation",
          unit: "µs",
          better: "lower",
          digits: 0,
          series: table.cpuPerInvocation ?? {},
        },
      ],
      ratios: [
        versusAws("ttfb-p50", "(c) TTFB p50, ours ÷ AWS", "<=", 0.6),
        versusAws("ttfb-p99", "(c) TTFB p99, ours ÷ AWS", "<="),
        versusAws("small-streamed-rate", "(d) small streamed inv/s, ours ÷ AWS", ">=", 1.5),
        {
          id: "small-streamed-rate:plain/aws",
          title: "(d) small streamed inv/s, plain baseline ÷ AWS",
          numerator: { metric: "small-streamed-rate", series: "plain" },
          denominator: { metric: "small-streamed-rate", series: "aws" },
        },
      ],
    };
  },
};

/**
 * A client's small streamed responses over its batches: time to first byte (from the `/next` answer leaving
 * the server to the first byte after the prelude arriving; p50, p99), invocations per second, and the
 * client's CPU per invocation.
 */
/**
 * Runs small streamed rounds: a warm-up, then timed slices of `event`, every invocation checked.
 * @param context The scenario's context (rounds, quick mode, clients).
 * @param id The scenario's id, for progress lines.
 * @param event The event each invocation gets.
 * @param check Throws when a batch's invocations did not answer as expected.
 */
export function runSmallStreamedRounds(
  context: ScenarioContext,
  id: string,
  event: Buffer,
  check: (records: readonly Invocation[]) => void,
): Promise<RoundTable> {
  const warmup = context.quick ? 200 : 500;
  const perSlice = context.quick ? 250 : 500;
  return runSlicedRounds(context, id, {
    kind: "streamed",
    slices: context.quick ? 4 : 6,
    async warmUp(session) {
      check(await session.serve(warmup, event));
    },
    async slice(session) {
      const batch = await measureBatch(session, perSlice, event);
      check(batch.records);
      return batch;
    },
    summarize: summarizeSmallStreamed,
  });
}

export function summarizeSmallStreamed(batches: readonly MeasuredBatch[]): Measurements {
  const ttfb = batches.flatMap((batch) => batch.records.map((r) => r.firstBodyByteAt - r.nextAnsweredAt));
  const wallMs = batches.reduce((sum, batch) => sum + batch.wallMs, 0);
  const clientCpuMs = batches.reduce((sum, batch) => sum + batch.clientCpuMs, 0);
  return {
    ttfbP50: percentile(ttfb, 50),
    ttfbP99: percentile(ttfb, 99),
    invocationsPerSecond: ttfb.length / (wallMs / 1000),
    cpuPerInvocation: (clientCpuMs * 1000) / ttfb.length,
  };
}
