// Interleaved rounds: every client measured once per round, the order reversed every other round (A B, B A).
import type { HandlerKind, PreparedClient } from "../clients/types";
import type { MeasuredBatch } from "./batch";
import { withClients, type ClientSession } from "./session";
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
    await context.load.measure(async () => {
      for (const contestant of order) record(table, contestant.name, await contestant.run(round));
    });
    context.log(`  ${label}: round ${round + 1}/${context.rounds}`);
  }
  return table;
}

/** How {@link runSlicedRounds} measures. */
export interface SlicedMeasure {
  /** The handler every client serves. */
  readonly kind: HandlerKind;
  /** Batches each client serves per round, alternating with the others'. */
  readonly slices: number;
  /** Brings a freshly started client to its steady state (JIT, connections, heap). */
  warmUp(session: ClientSession): Promise<void>;
  /** One measured batch. */
  slice(session: ClientSession): Promise<MeasuredBatch>;
  /** A client's values for the round, from all its slices. */
  summarize(slices: readonly MeasuredBatch[]): Measurements;
}

/**
 * Rounds in which every client runs at once, each warmed up, then serves `slices` short batches in turn
 * (A B C, C B A, A B C, ...), so that a disturbance lasting longer than a batch hits every client of the round
 * alike. Between its batches a client waits in `GET /next` and uses no CPU.
 */
export async function runSlicedRounds(
  context: ScenarioContext,
  label: string,
  measure: SlicedMeasure,
): Promise<RoundTable> {
  const table: RoundTable = {};
  const clients = context.clients;
  for (let round = 0; round < context.rounds; round++) {
    await context.load.measure(() =>
      withClients(context, clients, measure.kind, async (sessions) => {
        const batches = sessions.map((): MeasuredBatch[] => []);
        for (const session of sessions) await measure.warmUp(session);
        for (let slice = 0; slice < measure.slices; slice++) {
          const order = [...sessions.keys()];
          if ((round + slice) % 2 === 1) order.reverse();
          for (const index of order)
            batches[index]?.push(await measure.slice(sessions[index] as ClientSession));
        }
        clients.forEach((client, index) =>
          record(table, client.name, measure.summarize(batches[index] ?? [])),
        );
      }),
    );
    context.log(`  ${label}: round ${round + 1}/${context.rounds}`);
  }
  return table;
}

function record(table: RoundTable, name: string, values: Measurements): void {
  for (const [metric, value] of Object.entries(values)) ((table[metric] ??= {})[name] ??= []).push(value);
}

/** Ratio id for `numerator`/`denominator` clients, e.g. `ours/aws`. */
export function ratioId(metric: string, numerator: string, denominator: string): string {
  return `${metric}:${numerator}/${denominator}`;
}
