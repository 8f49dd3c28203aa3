// The fault scenario table: each scenario is a mocha `it`; after the run, a table of expected vs observed.

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

/** The table as Markdown, with a count line: only scenarios that ran are counted. */
export function renderTable(): string {
  const ran = rows.filter((row) => row.result !== "not run");
  const passed = ran.filter((row) => row.result === "passed").length;
  const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
  const lines = [
    `Fault injection (issue 5, section 2): ${passed} of ${ran.length} scenarios passed` +
      (ran.length < rows.length ? ` (${rows.length - ran.length} not run)` : ""),
    "",
    "| group | scenario | expected | observed | result |",
    "| --- | --- | --- | --- | --- |",
    ...ran.map(
      (row) =>
        `| ${row.group} | ${cell(row.scenario)} | ${cell(row.expected)} | ${cell(row.observed)} | ${row.result} |`,
    ),
  ];
  return lines.join("\n");
}

// A root-level hook (this module is loaded while mocha reads spec files): print once, after every file.
if (typeof after === "function") {
  after(function () {
    if (rows.some((row) => row.result !== "not run")) console.log(`\n${renderTable()}\n`);
  });
}
