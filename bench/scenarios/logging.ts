// (k) Logging: 10,000 console calls in one invocation on a telemetry pipe, ours against AWS's client, and what
// a call below AWS_LAMBDA_LOG_LEVEL costs.
import path from "node:path";
import { buildBundle, BundleFile } from "../../components/bundle";
import type { Invocation } from "../../test/helpers/fakeRuntimeApi";
import { bundleModule } from "../clients/esbuildBundle";
import { SHELL, writeManagedBootstrap } from "../clients/managedBootstrap";
import type { PreparedClient } from "../clients/types";
import { LOGGING_EXPORT, type LoggingEvent, type LoggingResult } from "../handlers/logging";
import { ensureAwsLambdaRic } from "../peers";
import { median } from "../stats";
import { eventBody } from "./batch";
import { withClient, type ClientSession } from "./session";
import type { Metric, RatioSpec, Scenario, ScenarioContext } from "./types";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const OURS_MODULE = path.join(__dirname, "..", "handlers", "oursLogging.ts");
const AWS_MODULE = path.join(__dirname, "..", "handlers", "awsRicLogging.ts");
/** The managed runtime client's entry on Lambda: passed along, and ignored by our bootstrap. */
const MANAGED_RUNTIME_ENTRY = "/var/runtime/index.mjs";

/** Console calls per measured invocation. */
const CALLS = 10_000;
/** Invocations before measuring: the logging code compiled and warm. */
const WARM_UP = 2;
/** The smallest frame: its 16-byte header. A written call must leave at least that on the pipe. */
const FRAME_HEADER_BYTES = 16;

/** A measurement: which metric, from which console method. */
interface Measure {
  readonly metric: string;
  readonly method: LoggingEvent["method"];
}

/** A process configuration (the logging variables Lambda sets) and what is measured in it. */
interface Setup {
  readonly env: Readonly<Record<string, string>>;
  /** Whether the calls write records (and so frames). */
  readonly written: boolean;
  readonly measures: readonly Measure[];
}

const SETUPS: readonly Setup[] = [
  {
    env: {},
    written: true,
    measures: [
      { metric: "logging-text", method: "log" },
      { metric: "logging-debug-written", method: "debug" },
    ],
  },
  {
    env: { AWS_LAMBDA_LOG_FORMAT: "JSON" },
    written: true,
    measures: [{ metric: "logging-json", method: "log" }],
  },
  {
    env: { AWS_LAMBDA_LOG_LEVEL: "ERROR" },
    written: false,
    measures: [{ metric: "logging-debug-filtered", method: "debug" }],
  },
];

const METRIC_TITLES: Record<string, string> = {
  "logging-text": "(k) 10,000 console.log, Text, on a telemetry pipe",
  "logging-json": "(k) 10,000 console.log, JSON, on a telemetry pipe",
  "logging-debug-written": "(k) 10,000 console.debug written (no level set), Text",
  "logging-debug-filtered": "(k) 10,000 console.debug filtered out (AWS_LAMBDA_LOG_LEVEL=ERROR)",
};

/** Both clients, each bundled with its logging handler and started as Lambda starts it. */
async function prepare(context: ScenarioContext): Promise<PreparedClient[]> {
  const bootstrap = writeManagedBootstrap(context.buildDir);
  const oursDir = path.join(context.buildDir, "logging", "ours");
  await buildBundle({ handler: OURS_MODULE, handlerExport: LOGGING_EXPORT, outDir: oursDir });
  const ric = ensureAwsLambdaRic(REPO_ROOT, context.node, context.log);
  const awsDir = path.join(context.buildDir, "logging", "aws");
  await bundleModule(AWS_MODULE, awsDir);
  const handler = `index.${LOGGING_EXPORT}`;
  return [
    {
      name: "ours",
      description: "our runtime, as deployed, serving the logging handler",
      launch: () => ({
        command: SHELL,
        args: [bootstrap, MANAGED_RUNTIME_ENTRY],
        env: { AWS_LAMBDA_EXEC_WRAPPER: path.join(oursDir, BundleFile.bootstrap) },
        taskRoot: oursDir,
        handler,
      }),
    },
    {
      name: "aws",
      description: `aws-lambda-ric ${ric.version}, started like the managed runtime, serving the logging handler`,
      launch: () => ({ command: SHELL, args: [bootstrap, ric.entry], taskRoot: awsDir, handler }),
    },
  ];
}

/** The handler's own timing of its console calls, from the reply's JSON body. */
function measuredMs(client: string, record: Invocation): number {
  const body = record.reply?.body.toString("utf8") ?? "";
  const ms = (JSON.parse(body || "null") as LoggingResult | null)?.ms;
  if (typeof ms !== "number" || !Number.isFinite(ms)) {
    throw new Error(`${client}: the logging handler answered ${JSON.stringify(body)} instead of {"ms": n}`);
  }
  return ms;
}

/**
 * Serves the warm-up and `samples` measured invocations of `measure` and returns the median time; checks that
 * written calls left at least a frame header each on the pipe, and filtered ones nothing.
 */
async function measureIn(
  session: ClientSession,
  client: string,
  setup: Setup,
  measure: Measure,
  samples: number,
): Promise<number> {
  const event = eventBody({ calls: CALLS, method: measure.method } satisfies LoggingEvent);
  await session.serve(WARM_UP, event);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const telemetry = session.process.telemetry;
    if (!telemetry) throw new Error(`${client}: started without a telemetry pipe`);
    const before = telemetry.bytes();
    const [record] = await session.serve(1, event);
    times.push(measuredMs(client, record as Invocation));
    if (setup.written) {
      // The frames were written before the reply; they may still be on their way through the pipe.
      await session.guard(telemetry.atLeast(before + CALLS * FRAME_HEADER_BYTES));
    } else if (telemetry.bytes() !== before) {
      throw new Error(`${client}: filtered console.${measure.method} calls wrote to the telemetry pipe`);
    }
  }
  return median(times);
}

export const logging: Scenario = {
  letter: "k",
  id: "logging",
  title: "Logging: 10,000 console calls in one invocation, on a telemetry pipe",
  clients: [],
  placement: "any-core",
  async run(context) {
    const clients = await prepare(context);
    const place = { node: context.node, pinning: undefined };
    const samples = context.quick ? 3 : 5;
    const series: Record<string, Record<string, number[]>> = {};
    for (let round = 0; round < context.rounds; round++) {
      const order = round % 2 === 0 ? clients : [...clients].reverse();
      await context.load.measure(async () => {
        for (const setup of SETUPS) {
          for (const client of order) {
            await withClient(
              place,
              client,
              "buffered",
              async (session) => {
                for (const measure of setup.measures) {
                  const ms = await measureIn(session, client.name, setup, measure, samples);
                  ((series[measure.metric] ??= {})[client.name] ??= []).push(ms);
                }
              },
              { env: setup.env, telemetryPipe: true },
            );
          }
        }
      });
      context.log(`  logging: round ${round + 1}/${context.rounds}`);
    }
    const metrics: Metric[] = Object.entries(METRIC_TITLES).map(([id, title]) => ({
      id,
      title,
      unit: "ms",
      better: "lower",
      digits: 2,
      series: series[id] ?? {},
    }));
    const ratios: RatioSpec[] = [
      {
        id: "logging-text:ours/aws",
        title: "(k) 10,000 console.log, Text, telemetry pipe: time, ours ÷ AWS",
        numerator: { metric: "logging-text", series: "ours" },
        denominator: { metric: "logging-text", series: "aws" },
        target: { op: "<=", bound: 1.0 },
      },
      {
        id: "logging-json:ours/aws",
        title: "(k) 10,000 console.log, JSON, telemetry pipe: time, ours ÷ AWS",
        numerator: { metric: "logging-json", series: "ours" },
        denominator: { metric: "logging-json", series: "aws" },
        target: { op: "<=", bound: 1.0 },
      },
      {
        id: "logging-filtered:ours",
        title: "(k) ours: filtered console.debug ÷ written console.debug (≤ 0.1: ≥ 10× cheaper)",
        numerator: { metric: "logging-debug-filtered", series: "ours" },
        denominator: { metric: "logging-debug-written", series: "ours" },
        target: { op: "<=", bound: 0.1 },
      },
      {
        id: "logging-filtered:aws",
        title: "(k) AWS: filtered console.debug ÷ written console.debug",
        numerator: { metric: "logging-debug-filtered", series: "aws" },
        denominator: { metric: "logging-debug-written", series: "aws" },
      },
    ];
    return { metrics, ratios };
  },
};
