// Command-line options of `npm run bench`.
import { parseArgs } from "node:util";
import { CLIENT_NAMES, type ClientName } from "./clients/types";

/** The fewest rounds the method allows for published numbers. */
export const MIN_ROUNDS = 9;
/** Rounds of `--quick`. */
export const QUICK_ROUNDS = 3;

/** Parsed options. */
export interface BenchOptions {
  /** Fewer rounds and invocations. @default false */
  readonly quick: boolean;
  /** Scenario ids to run; all when empty. */
  readonly only: readonly string[];
  /** Interleaved rounds per scenario. @default 9, or 3 with `--quick` */
  readonly rounds: number;
  /** Clients to compare. @default all */
  readonly clients: readonly ClientName[];
  /** Rewrite docs/performance.md, its chart and README.md's Performance section. @default false */
  readonly writeDocs: boolean;
  /**
   * With `writeDocs`: publish even when a targeted result is not stable (see `STABILITY_CRITERIA`), each
   * such result marked as not stable. Without it, such a run is not published. @default false
   */
  readonly publishUnstable: boolean;
  /**
   * Run every scenario on any core, instead of pinning the harness and the clients of the latency scenarios
   * to one CPU: for comparison, or where taskset is missing. @default false
   */
  readonly unpinned: boolean;
  /**
   * Raise the scheduling priority of the harness and (inherited) of every client, so that other processes
   * on a shared machine disturb the measurements less. Needs root (or CAP_SYS_NICE). @default false
   */
  readonly priority: boolean;
  readonly help: boolean;
}

/** Usage text. */
export const USAGE = `Usage: npm run bench -- [options]

  --quick               ${QUICK_ROUNDS} rounds and fewer invocations per round
  --only <ids>          comma-separated scenarios: tiny-buffered, throughput, small-streamed,
                        cold-start, memory, bundle-size, web-throughput, web-small-streamed, concurrency,
                        logging
  --rounds <n>          interleaved rounds per scenario (default ${MIN_ROUNDS})
  --clients <names>     comma-separated subset of ${CLIENT_NAMES.join(", ")}
                        (each scenario measures those of its own clients that are selected)
  --write-docs          after a full run, rewrite docs/performance.md, docs/bench-ratios.svg and
                        README.md's Performance section (between its performance:start/end markers);
                        refused when a targeted result is not stable (the summary says which and why)
  --publish-unstable    with --write-docs: publish anyway, each unstable result marked as such
  --unpinned            do not pin the latency scenarios (harness and clients) to one CPU
  --priority            on a busy shared machine: run the harness and every client at a higher
                        scheduling priority (nice ${"-"}10; needs root), the same for all clients
  --help                this text`;

/**
 * Parses `argv` (without node and script).
 * @throws Error with a message for the user on unknown options, bad values, or `--write-docs` on a partial run.
 */
export function parseOptions(argv: readonly string[], scenarioIds: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string", multiple: true, default: [] },
      rounds: { type: "string" },
      clients: { type: "string" },
      "write-docs": { type: "boolean", default: false },
      "publish-unstable": { type: "boolean", default: false },
      unpinned: { type: "boolean", default: false },
      priority: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const only = values.only.flatMap((value) => value.split(",")).filter((id) => id !== "");
  const unknown = only.filter((id) => !scenarioIds.includes(id));
  if (unknown.length > 0)
    throw new Error(`unknown scenario ${unknown.join(", ")}; choose from ${scenarioIds.join(", ")}`);
  const rounds =
    values.rounds === undefined ? (values.quick ? QUICK_ROUNDS : MIN_ROUNDS) : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);
  const clients = (values.clients?.split(",") ?? [...CLIENT_NAMES]) as ClientName[];
  const badClients = clients.filter((name) => !(CLIENT_NAMES as readonly string[]).includes(name));
  if (badClients.length > 0)
    throw new Error(`unknown client ${badClients.join(", ")}; choose from ${CLIENT_NAMES.join(", ")}`);
  const writeDocs = values["write-docs"];
  if (values["publish-unstable"] && !writeDocs) throw new Error("--publish-unstable goes with --write-docs.");
  if (
    writeDocs &&
    (values.quick || only.length > 0 || rounds < MIN_ROUNDS || clients.length < CLIENT_NAMES.length)
  ) {
    throw new Error(
      `--write-docs publishes numbers: it needs a full run (all scenarios and clients, >= ${MIN_ROUNDS} rounds).`,
    );
  }
  if (writeDocs && values.unpinned) {
    throw new Error(
      "--write-docs publishes numbers measured as docs/performance.md describes them: not with --unpinned.",
    );
  }
  return {
    quick: values.quick,
    only,
    rounds,
    clients,
    writeDocs,
    publishUnstable: values["publish-unstable"],
    unpinned: values.unpinned,
    priority: values.priority,
    help: values.help,
  };
}
