// Baseline "plain": a minimal node:http Runtime API client that waits for `drain` whenever `write` says so.
import { runBaseline } from "./protocolLoop";

runBaseline({ queueBytes: 0 });
