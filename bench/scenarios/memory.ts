// (f) Memory: peak RSS of fresh clients streaming: 10 and 200 MiB as deployed (flat?), 100 MiB started as bare node.
import { BARE_CLIENTS, DEPLOYED_CLIENTS, type ClientName, type PreparedClient } from "../clients/types";
import type { StreamEvent } from "../handlers/work";
import { readMemory } from "../processes";
import { eventBody } from "./batch";
import { checkStreamed } from "./checks";
import { runRounds, type Measurements } from "./rounds";
import { withClient } from "./session";
import type { RatioSpec, Scenario, ScenarioContext } from "./types";

const MIB = 1024 * 1024;
const CHUNK_SIZE = 64 * 1024;
const stream = (mib: number): StreamEvent => ({ chunks: (mib * MIB) / CHUNK_SIZE, chunkSize: CHUNK_SIZE });
const SMALL = stream(10);
const LARGE = stream(200);
const BARE = stream(100);

/** Peak RSS (MiB) of a fresh process that streamed `event` once. */
async function peakRssAfter(
  context: ScenarioContext,
  client: PreparedClient,
  event: StreamEvent,
): Promise<number> {
  return withClient(context, client, "streamed", async (session) => {
    checkStreamed(await session.serve(1, eventBody(event)), event);
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
  title: "Peak RSS streaming 10 and 200 MiB (as deployed) and 100 MiB (bare node)",
  clients: [...DEPLOYED_CLIENTS, ...BARE_CLIENTS],
  placement: "any-core",
  async run(context) {
    const table = await runRounds(context, this.id, async (client): Promise<Measurements> =>
      BARE_CLIENTS.includes(client.name)
        ? { bare: await peakRssAfter(context, client, BARE) }
        : {
            small: await peakRssAfter(context, client, SMALL),
            large: await peakRssAfter(context, client, LARGE),
          },
    );
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
        {
          id: "rss-100-bare",
          title: "(f) peak RSS, fresh bare-node process streaming 100 MiB",
          unit: "MiB",
          better: "lower",
          digits: 1,
          series: table.bare ?? {},
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
        {
          id: "rss-100-bare:ours-bare/aws-bare",
          title: "(f) peak RSS streaming 100 MiB, ours-bare ÷ aws-bare",
          numerator: { metric: "rss-100-bare", series: "ours-bare" },
          denominator: { metric: "rss-100-bare", series: "aws-bare" },
          target: { op: "<=", bound: 0.9 },
        },
      ],
    };
  },
};
