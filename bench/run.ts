// `npm run bench`: prepares every client, runs the scenarios in interleaved rounds, prints and saves the results.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseOptions, USAGE, type BenchOptions } from "./cli";
import { prepareAwsRic } from "./clients/awsRic";
import { prepareBaseline } from "./clients/baselines";
import { writeManagedBootstrap } from "./clients/managedBootstrap";
import { prepareOurs, prepareOursBare } from "./clients/ours";
import { prepareAwsHono, prepareOursWeb } from "./clients/web";
import type { ClientName, PreparedClient } from "./clients/types";
import { LoadMonitor } from "./machineLoad";
import { findOrFetchNode24, NODE_MAJOR, type NodeInstall } from "./node24";
import { onOneCpu, pinningUnavailable, type Pinning } from "./placement";
import {
  CHART_FILE,
  performanceMarkdown,
  readmePerformanceSection,
  withPerformanceSection,
} from "./report/docs";
import {
  machineInfo,
  reportScenario,
  STABILITY_CRITERIA,
  targetedResults,
  type BenchReport,
  type ScenarioReport,
} from "./report/results";
import { ratioChart } from "./report/svg";
import { measurementTable, ratioTable, targetSummary } from "./report/tables";
import { SCENARIOS } from "./scenarios";
import type { Scenario } from "./scenarios/types";

const REPO_ROOT = path.resolve(__dirname, "..");
const RESULTS_DIR = path.join(REPO_ROOT, ".bench");
const BUILD_DIR = path.join(RESULTS_DIR, "build");
const DOCS_DIR = path.join(REPO_ROOT, "docs");

const log = (line: string): void => console.error(line);

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(
      process.argv.slice(2),
      SCENARIOS.map((scenario) => scenario.id),
    );
  } catch (error) {
    console.error(`bench: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const node = findOrFetchNode24(log);
  if (!process.version.startsWith(`v${NODE_MAJOR}.`)) return rerunOn(node);

  const started = performance.now();
  const loadAtStart = warnIfBusy();
  const niceness = options.priority ? raisePriority() : os.getPriority();
  const scenarios = SCENARIOS.filter(
    (scenario) => options.only.length === 0 || options.only.includes(scenario.id),
  );
  // Only the clients some selected scenario measures.
  const needed = options.clients.filter((name) =>
    scenarios.some((scenario) => scenario.clients.includes(name)),
  );
  const clients = await prepareClients(needed, node);
  const unpinnable = options.unpinned ? undefined : pinningUnavailable();
  if (unpinnable && scenarios.some((scenario) => scenario.placement === "one-core")) {
    log(`bench: warning: cannot pin to one CPU (${unpinnable}); every scenario runs on any core.`);
  }
  const reports: ScenarioReport[] = [];
  for (const scenario of scenarios) {
    const pinned = scenario.placement === "one-core" && !options.unpinned;
    log(`bench: (${scenario.letter}) ${scenario.title}${pinned ? " [harness and clients on one CPU]" : ""}`);
    const begun = performance.now();
    const load = new LoadMonitor();
    const run = (pinning: Pinning | undefined) =>
      scenario.run({
        node,
        clients: clients.filter((client) => scenario.clients.includes(client.name)),
        pinning,
        load,
        rounds: options.rounds,
        quick: options.quick,
        buildDir: BUILD_DIR,
        log,
      });
    const result = pinned ? await onOneCpu(run) : await run(undefined);
    const placement: Scenario["placement"] = pinned && !unpinnable ? "one-core" : "any-core";
    reports.push(
      reportScenario({ ...scenario, placement }, result, (performance.now() - begun) / 1000, load.samples),
    );
  }
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: machineInfo(node.version, loadAtStart, os.loadavg()[0] ?? 0, niceness),
    rounds: options.rounds,
    quick: options.quick,
    unpinned: options.unpinned,
    stabilityCriteria: STABILITY_CRITERIA,
    clients: clients.map(({ name, description }) => ({ name, description })),
    scenarios: reports,
  };
  const { unstable } = targetedResults(report);
  const publish = options.writeDocs && (unstable.length === 0 || options.publishUnstable);
  save(report, publish);
  console.log(`\n${ratioTable(report)}\n\n${measurementTable(report)}\n`);
  console.log(targetSummary(report).join("\n"));
  console.log(loadSummary(report));
  log(
    `bench: done in ${((performance.now() - started) / 1000).toFixed(0)} s; results in ${path.relative(process.cwd(), RESULTS_DIR)}/latest.json`,
  );
  if (options.writeDocs && !publish) {
    log(
      `bench: not publishing: ${unstable.length} targeted result(s) not stable (see UNSTABLE above). ` +
        "Re-run on a quiet machine (or with more --rounds), or publish them marked as not stable with " +
        "--write-docs --publish-unstable.",
    );
    return 1;
  }
  return 0;
}

/** One line: how much CPU other processes (and the hypervisor) took during each scenario. */
function loadSummary(report: BenchReport): string {
  const parts = report.scenarios
    .filter((scenario) => scenario.load.meanOtherCores !== undefined)
    .map((scenario) => `${scenario.id} ${scenario.load.meanOtherCores?.toFixed(2)}`);
  return parts.length === 0
    ? ""
    : `Other load (cores used outside the bench, plus steal, mean per scenario; stable at <= ${STABILITY_CRITERIA.maxOtherCores}): ${parts.join(", ")}. ` +
        `1-minute load average ${report.machine.loadAtStart.toFixed(2)} at the start, ${report.machine.loadAtEnd.toFixed(2)} at the end.`;
}

/** Above this 1-minute load average, something has been using the CPU lately. */
const BUSY_LOAD = 0.5;

/**
 * Returns the 1-minute load average, with a note when it is high. It looks back a minute and counts whatever
 * ran then (a previous bench too), so it decides nothing: each round measures the CPU other processes use
 * while it runs (see machineLoad.ts), and that goes into each result's stability.
 */
function warnIfBusy(): number {
  const [load = 0] = os.loadavg();
  if (load > BUSY_LOAD) {
    log(
      `bench: note: 1-minute load average ${load.toFixed(2)}: something used the CPU lately. The CPU other ` +
        "processes use during each round is measured, and results it disturbs are reported as not stable.",
    );
  }
  return load;
}

/** Clients inherit the harness's niceness; -10 outweighs ordinary (nice 0) processes about ten to one. */
const RAISED_NICENESS = -10;

/** Raises this process's priority (and so its future children's); returns the niceness in effect. */
function raisePriority(): number {
  try {
    os.setPriority(RAISED_NICENESS);
  } catch (error) {
    log(
      `bench: warning: cannot raise the priority (${(error as Error).message}); running at normal priority.`,
    );
  }
  return os.getPriority();
}

/** Builds, bundles and installs what each selected client needs. */
async function prepareClients(names: readonly ClientName[], node: NodeInstall): Promise<PreparedClient[]> {
  const bootstrap = writeManagedBootstrap(BUILD_DIR);
  const prepare: Record<ClientName, () => Promise<PreparedClient>> = {
    ours: () => prepareOurs(BUILD_DIR, bootstrap),
    aws: () => prepareAwsRic(REPO_ROOT, BUILD_DIR, bootstrap, node, log),
    plain: () => prepareBaseline("plain", BUILD_DIR, node),
    greedy: () => prepareBaseline("greedy", BUILD_DIR, node),
    "ours-bare": () => prepareOursBare(BUILD_DIR, node),
    "aws-bare": () => prepareAwsRic(REPO_ROOT, BUILD_DIR, bootstrap, node, log, "bare"),
    "aws-hono": () => prepareAwsHono(REPO_ROOT, BUILD_DIR, bootstrap, node, log),
    "ours-hono": () => prepareOursWeb("ours-hono", BUILD_DIR, bootstrap),
    "ours-fetch": () => prepareOursWeb("ours-fetch", BUILD_DIR, bootstrap),
    "ours-writer": () => prepareOursWeb("ours-writer", BUILD_DIR, bootstrap),
  };
  const clients: PreparedClient[] = [];
  for (const name of names) {
    const client = await prepare[name]();
    log(`bench: ${name}: ${client.description}`);
    clients.push(client);
  }
  return clients;
}

/** Writes the JSON (and the chart) under .bench/, and with `writeDocs` the docs page, its chart and the README section. */
function save(report: BenchReport, writeDocs: boolean): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(path.join(RESULTS_DIR, `results-${report.date.replace(/[:.]/g, "-")}.json`), json);
  writeFileSync(path.join(RESULTS_DIR, "latest.json"), json);
  const chart = ratioChart(report);
  writeFileSync(path.join(RESULTS_DIR, CHART_FILE), chart);
  if (writeDocs) {
    mkdirSync(DOCS_DIR, { recursive: true });
    writeFileSync(path.join(DOCS_DIR, CHART_FILE), chart);
    writeFileSync(path.join(DOCS_DIR, "performance.md"), performanceMarkdown(report));
    const readme = path.join(REPO_ROOT, "README.md");
    writeFileSync(
      readme,
      withPerformanceSection(readFileSync(readme, "utf8"), readmePerformanceSection(report)),
    );
    log("bench: wrote docs/performance.md, docs/bench-ratios.svg and README.md's Performance section");
  }
}

/** The fake server lives in this process: run it on the clients' Node 24 too, so every run measures alike. */
function rerunOn(node: NodeInstall): number {
  log(`bench: re-running on Node ${node.version} (${node.binary})`);
  const result = spawnSync(
    node.binary,
    ["-r", "ts-node/register/transpile-only", __filename, ...process.argv.slice(2)],
    { stdio: "inherit", cwd: REPO_ROOT },
  );
  return result.status ?? 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
