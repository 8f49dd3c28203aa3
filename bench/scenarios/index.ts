// Every scenario, in the issue's order: (a) to (g), then the web apps' (h) and (i), then (j) concurrent invocations,
// then (k) logging.
import { bundleSize } from "./bundleSize";
import { coldStart } from "./coldStart";
import { concurrency } from "./concurrency";
import { logging } from "./logging";
import { memory } from "./memory";
import { smallStreamed } from "./smallStreamed";
import { throughput } from "./throughput";
import { tinyBuffered } from "./tinyBuffered";
import type { Scenario } from "./types";
import { webSmallStreamed } from "./webSmallStreamed";
import { webThroughput } from "./webThroughput";

export const SCENARIOS: readonly Scenario[] = [
  tinyBuffered,
  throughput,
  smallStreamed,
  coldStart,
  memory,
  bundleSize,
  webThroughput,
  webSmallStreamed,
  concurrency,
  logging,
];
