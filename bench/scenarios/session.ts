// Runs one client process against its own fake Runtime API, guarding every wait against crashes and hangs.
import { sandboxEnvironment } from "../environment";
import { FakeRuntimeApi, type Invocation } from "../../test/helpers/fakeRuntimeApi";
import type { NodeInstall } from "../node24";
import { spawnClient, type ClientProcess } from "../processes";
import type { HandlerKind, PreparedClient } from "../clients/types";

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

/** Starts a fake Runtime API and `client` serving `kind`, runs `use`, then kills the client and closes the API. */
export async function withClient<T>(
  node: NodeInstall,
  client: PreparedClient,
  kind: HandlerKind,
  use: (session: ClientSession) => Promise<T>,
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
      nodeBinary: node.binary,
    }),
    ...launch.env,
  };
  const child = spawnClient(launch.command, launch.args, env);
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
