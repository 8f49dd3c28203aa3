// Baseline "greedy": the plain client, but letting ~1 MiB queue before it waits for `drain`.
import { runBaseline } from "./protocolLoop";

/** How much a greedy client lets queue before waiting: enough to keep the socket always busy. */
const GREEDY_QUEUE_BYTES = 1024 * 1024;

runBaseline({ queueBytes: GREEDY_QUEUE_BYTES });
