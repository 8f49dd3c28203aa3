// Interleaved rounds: every client measured once per round, the order reversed every other round (A B, B A).
import type { PreparedClient } from "../clients/types";
import type { ScenarioContext } from "./types";

/** Values one client produced in one round, by metric id. */
export type Measurements = Readonly<Record<string, number>>;

/** Per-round values by metric id, then by client name; index = round. */
export type RoundTable = Record<string, Record<string, number[]>>;

/** Something measured alongside the clients that is not one, e.g. `node -e ""`. */
export interface Reference {
  readonly name: string;
  measure(): Promise<Measurements>;
}

/**
 * Runs `measure` for every client (and every reference) in every round, alternating the order, so that drift
 * (thermal, page cache, other load) hits every client alike, and ratios can be taken inside each round.
 */
export async function runRounds(
  context: ScenarioContext,
  label: string,
  measure: (client: PreparedClient, round: number) => Promise<Measurements>,
  references: readonly Reference[] = [],
): Promise<RoundTable> {
  const table: RoundTable = {};
  const contestants = [
    ...references.map((reference) => ({ name: reference.name, run: () => reference.measure() })),
    ...context.clients.map((client) => ({
      name: client.name as string,
      run: (round: number) => measure(client, round),
    })),
  ];
  for (let round = 0; round < context.rounds; round++) {
    const order = round % 2 === 0 ? contestants : [...contestants].reverse();
    for (const contestant of order) {
      const values = await contestant.run(round);
      for (const [metric, value] of Object.entries(values)) {
        ((table[metric] ??= {})[contestant.name] ??= []).push(value);
      }
    }
    context.log(`  ${label}: round ${round + 1}/${context.rounds}`);
  }
  return table;
}

/** Ratio id for `numerator`/`denominator` clients, e.g. `ours/aws`. */
export function ratioId(metric: string, numerator: string, denominator: string): string {
  return `${metric}:${numerator}/${denominator}`;
}
