// Every scenario, in the order (a) to (g).
import { bundleSize } from "./bundleSize";
import { coldStart } from "./coldStart";
import { memory } from "./memory";
import { smallStreamed } from "./smallStreamed";
import { throughput } from "./throughput";
import { tinyBuffered } from "./tinyBuffered";
import type { Scenario } from "./types";

export const SCENARIOS: readonly Scenario[] = [
  tinyBuffered,
  throughput,
  smallStreamed,
  coldStart,
  memory,
  bundleSize,
];
