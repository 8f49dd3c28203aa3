// (f) Memory: peak RSS of a fresh client streaming 10 MiB and 200 MiB, which must not grow with the payload.
import type { StreamEvent } from "../handlers/work";
import { readMemory } from "../processes";
import { eventBody } from "./batch";
import { checkStreamed } from "./checks";
import { runRounds } from "./rounds";
import { withClient } from "./session";
import type { ClientName, PreparedClient } from "../clients/types";
import type { RatioSpec, Scenario, ScenarioContext } from "./types";

const MIB = 1024 * 1024;
const CHUNK_SIZE = 64 * 1024;
const SMALL: StreamEvent = { chunks: (10 * MIB) / CHUNK_SIZE, chunkSize: CHUNK_SIZE };
const LARGE: StreamEvent = { chunks: (200 * MIB) / CHUNK_SIZE, chunkSize: CHUNK_SIZE };

/** Peak RSS (MiB) of a fresh process that streamed `stream` once. */
async function peakRssAfter(
  context: ScenarioContext,
  client: PreparedClient,
  stream: StreamEvent,
): Promise<number> {
  return withClient(context.node, client, "streamed", async (session) => {
    checkStreamed(await session.serve(1, eventBody(stream)), stream);
    return (await readMemory(session.process.pid)).peakRss / MIB;
  });
}

function growth(client: ClientName, bound?: number): RatioSpec {
  return {
    id: `rss-growth:${client}`,
    title: `(f) peak RSS 200 MiB ÷ 10 MiB, ${client}`,
    numerator: { metric: "rss-200", series: client },
    denominator: { metric: "rss-10", series: client },
    ...(bound === undefined ? {} : { target: { op: "<=", bound } }),
  };
}

export const memory: Scenario = {
  letter: "f",
  id: "memory",
  title: "Peak RSS streaming 10 MiB and 200 MiB",
  async run(context) {
    const table = await runRounds(context, this.id, async (client) => ({
      small: await peakRssAfter(context, client, SMALL),
      large: await peakRssAfter(context, client, LARGE),
    }));
    return {
      metrics: [
        {
          id: "rss-10",
          title: "(f) peak RSS, fresh process streaming 10 MiB",
          unit: "MiB",
          better: "lower",
          digits: 1,
          series: table.small ?? {},
        },
        {
          id: "rss-200",
          title: "(f) peak RSS, fresh process streaming 200 MiB",
          unit: "MiB",
          better: "lower",
          digits: 1,
          series: table.large ?? {},
        },
      ],
      ratios: [
        {
          id: "rss-200:ours/aws",
          title: "(f) peak RSS streaming 200 MiB, ours ÷ AWS",
          numerator: { metric: "rss-200", series: "ours" },
          denominator: { metric: "rss-200", series: "aws" },
          target: { op: "<=", bound: 0.9 },
        },
        // "Flat": within 10% between 10 MiB and 200 MiB, i.e. nothing proportional to the payload is kept.
        growth("ours", 1.1),
        growth("aws"),
      ],
    };
  },
};
