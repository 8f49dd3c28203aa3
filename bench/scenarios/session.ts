// Runs one client process against its own fake Runtime API, guarding every wait against crashes and hangs.
import { sandboxEnvironment } from "../environment";
import { FakeRuntimeApi, type Invocation } from "../../test/helpers/fakeRuntimeApi";
import { spawnClient, type ClientProcess, type SpawnOptions } from "../processes";
import type { HandlerKind, PreparedClient } from "../clients/types";
import type { ScenarioContext } from "./types";

/** A wait longer than this means a client is stuck: fail loudly instead of hanging the benchmark. */
const STUCK_AFTER_MS = 60_000;
/** How much of each reply's body the fake keeps, for checks and error messages; the rest is only counted. */
const KEPT_BODY_BYTES = 64 * 1024;
/** Far enough ahead that no client's deadline logic ever fires during a benchmark. */
const DEADLINE_IN_MS = 15 * 60 * 1000;

/** A client process and the fake Runtime API it talks to. */
export interface ClientSession {
  readonly api: FakeRuntimeApi;
  readonly process: ClientProcess;
  /** Serves `count` invocations of `event`; rejects if the client crashes, fails or stalls. */
  serve(count: number, event: Buffer): Promise<Invocation[]>;
  /** Waits for `promise`, rejecting if the client crashes, fails to start or stalls. */
  guard<T>(promise: Promise<T>): Promise<T>;
}

/** Where and how clients start: the Node binary, and the CPU to pin them to, if any. */
export type SessionPlace = Pick<ScenarioContext, "node" | "pinning">;

/** What a session adds to a client's start. */
export interface SessionOptions extends SpawnOptions {
  /** Variables set on top of the sandbox's and the client's own (e.g. `AWS_LAMBDA_LOG_FORMAT`). @default none */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Starts a fake Runtime API and `client` serving `kind` (on the pinned CPU, if any), runs `use`, then kills
 * the client and closes the API.
 * @param options Variables to add, and a telemetry pipe (`_LAMBDA_TELEMETRY_LOG_FD=3`). @default none
 */
export async function withClient<T>(
  place: SessionPlace,
  client: PreparedClient,
  kind: HandlerKind,
  use: (session: ClientSession) => Promise<T>,
  options: SessionOptions = {},
): Promise<T> {
  const api = await new FakeRuntimeApi({
    keepBodyBytes: KEPT_BODY_BYTES,
    deadlineInMs: DEADLINE_IN_MS,
  }).start();
  const launch = client.launch(kind);
  const env = {
    ...sandboxEnvironment({
      runtimeApi: api.address,
      taskRoot: launch.taskRoot,
      handler: launch.handler,
      nodeBinary: place.node.binary,
    }),
    ...launch.env,
    ...options.env,
    ...(options.telemetryPipe ? { _LAMBDA_TELEMETRY_LOG_FD: "3" } : {}),
  };
  const line = place.pinning ? place.pinning.wrap(launch) : launch;
  const child = spawnClient(line.command, line.args, env, { telemetryPipe: options.telemetryPipe });
  const guard = <R>(promise: Promise<R>): Promise<R> => {
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${client.name} stalled for ${STUCK_AFTER_MS} ms`)),
        STUCK_AFTER_MS,
      );
    });
    return Promise.race([promise, child.crashed, api.initFailed, stuck]).finally(() => clearTimeout(timer));
  };
  try {
    return await use({
      api,
      process: child,
      serve: (count, event) => guard(api.serve(count, event)),
      guard,
    });
  } catch (error) {
    throw new Error(`${client.name}: ${(error as Error).message}`, { cause: error });
  } finally {
    await child.stop();
    await api.close();
  }
}

/**
 * Starts every client of `clients` at once, each with its own fake Runtime API, runs `use` with their sessions
 * (in the same order), then stops them all. Clients between invocations wait in `GET /next` and use no CPU.
 * @param started sessions already started, for the recursion. @default none
 */
export async function withClients<T>(
  place: SessionPlace,
  clients: readonly PreparedClient[],
  kind: HandlerKind,
  use: (sessions: readonly ClientSession[]) => Promise<T>,
  started: readonly ClientSession[] = [],
): Promise<T> {
  const [first, ...rest] = clients;
  if (first === undefined) return use(started);
  return withClient(place, first, kind, (session) =>
    withClients(place, rest, kind, use, [...started, session]),
  );
}
