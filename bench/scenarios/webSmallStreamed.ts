// (i) The same Hono app answering small streamed responses: TTFB and invocations/s, ours vs AWS's, and fetchHandler's cost.
import { WEB_CLIENTS } from "../clients/types";
import { webEvent } from "../handlers/webApp";
import type { StreamEvent } from "../handlers/work";
import { eventBody } from "./batch";
import { checkWebStreamed } from "./checks";
import { runSmallStreamedRounds } from "./smallStreamed";
import type { Scenario } from "./types";
import { webRatio } from "./webThroughput";

/** A small streamed response: a prelude, then four 256-byte writes (as in (c, d)). */
const SMALL: StreamEvent = { chunks: 4, chunkSize: 256 };
const EVENT = eventBody(webEvent(SMALL));

export const webSmallStreamed: Scenario = {
  letter: "i",
  id: "web-small-streamed",
  title:
    "Web apps: the same Hono app's small streamed responses, time to first byte and invocations per second",
  clients: WEB_CLIENTS,
  placement: "one-core",
  async run(context) {
    const table = await runSmallStreamedRounds(context, this.id, EVENT, (records) =>
      checkWebStreamed(records, SMALL),
    );
    return {
      metrics: [
        {
          id: "web-ttfb-p50",
          title: "(i) web app time to first byte, p50",
          unit: "ms",
          better: "lower",
          digits: 3,
          series: table.ttfbP50 ?? {},
        },
        {
          id: "web-ttfb-p99",
          title: "(i) web app time to first byte, p99",
          unit: "ms",
          better: "lower",
          digits: 3,
          series: table.ttfbP99 ?? {},
        },
        {
          id: "web-small-streamed-rate",
          title: "(i) web app small streamed invocations/s",
          unit: "inv/s",
          better: "higher",
          digits: 0,
          series: table.invocationsPerSecond ?? {},
        },
        {
          id: "web-small-streamed-cpu",
          title: "(i) client CPU per small streamed invocation",
          unit: "µs",
          better: "lower",
          digits: 0,
          series: table.cpuPerInvocation ?? {},
        },
      ],
      ratios: [
        webRatio("web-small-streamed-rate", "ours-hono", "aws-hono", "(i) Hono app inv/s, ours ÷ AWS", {
          op: ">=",
          bound: 1.5,
        }),
        webRatio("web-ttfb-p50", "ours-hono", "aws-hono", "(i) Hono app TTFB p50, ours ÷ AWS", {
          op: "<=",
          bound: 0.6,
        }),
        webRatio("web-ttfb-p99", "ours-hono", "aws-hono", "(i) Hono app TTFB p99, ours ÷ AWS"),
        webRatio(
          "web-small-streamed-rate",
          "ours-fetch",
          "ours-writer",
          "(i) inv/s, fetchHandler (bare fetch) ÷ writer API",
          { op: ">=", bound: 0.85 },
        ),
        webRatio(
          "web-ttfb-p50",
          "ours-fetch",
          "ours-writer",
          "(i) TTFB p50, fetchHandler (bare fetch) ÷ writer API",
        ),
        webRatio(
          "web-small-streamed-rate",
          "ours-hono",
          "ours-writer",
          "(i) inv/s, Hono app via fetchHandler ÷ writer API",
        ),
      ],
    };
  },
};
