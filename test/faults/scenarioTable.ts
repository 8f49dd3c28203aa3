// The fault scenario table: each scenario is a mocha `it`; after the run, a table of expected vs observed.
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/** Where the table is written after a run that ran scenarios. */
const TABLE_PATH = path.join(__dirname, "../../.test-results/fault-scenarios.md");

interface Row {
  readonly group: string;
  readonly scenario: string;
  readonly expected: string;
  observed: string;
  result: "passed" | "failed" | "not run";
}

/** Records what a scenario actually saw; call it before asserting, so a failed row still says what happened. */
export type Observe = (observed: string) => void;

const rows: Row[] = [];

/**
 * Returns a `scenario(name, expected, run)` function for one group of the table. Each scenario becomes an `it`
 * named `name`; `run` does the work, calls `observe` with what it saw, then asserts.
 * @param group The table's group column, e.g. "Runtime API".
 */
export function scenarioGroup(
  group: string,
): (name: string, expected: string, run: (observe: Observe) => Promise<void>, timeoutMs?: number) => void {
  return (name, expected, run, timeoutMs) => {
    const row: Row = { group, scenario: name, expected, observed: "(nothing observed)", result: "not run" };
    rows.push(row);
    it(name, async function () {
      if (timeoutMs !== undefined) this.timeout(timeoutMs);
      row.result = "failed";
      await run((observed) => (row.observed = observed));
      row.result = "passed";
    });
  };
}

/** How many scenarios ran and passed, e.g. `47 of 47 fault scenarios passed (3 not run)`. */
function summary(): string {
  const ran = rows.filter((row) => row.result !== "not run");
  const passed = ran.filter((row) => row.result === "passed").length;
  const notRun = rows.length - ran.length;
  return `${passed} of ${ran.length} fault scenarios passed` + (notRun > 0 ? ` (${notRun} not run)` : "");
}

/** The table as Markdown, under a count line: only scenarios that ran are listed and counted. */
function renderTable(): string {
  const ran = rows.filter((row) => row.result !== "not run");
  const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
  const lines = [
    `# Fault injection: ${summary()}`,
    "",
    "| group | scenario | expected | observed | result |",
    "| --- | --- | --- | --- | --- |",
    ...ran.map(
      (row) =>
        `| ${row.group} | ${cell(row.scenario)} | ${cell(row.expected)} | ${cell(row.observed)} | ${row.result} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

// A root-level hook (this module is loaded while mocha reads spec files): once, after every file, write the
// table and say in one line where it is.
if (typeof after === "function") {
  after(function () {
    if (!rows.some((row) => row.result !== "not run")) return;
    mkdirSync(path.dirname(TABLE_PATH), { recursive: true });
    writeFileSync(TABLE_PATH, renderTable());
    console.log(`  ${summary()}; table: ${path.relative(process.cwd(), TABLE_PATH)}`);
  });
}
