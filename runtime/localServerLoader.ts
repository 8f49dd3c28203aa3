// Finds the dev-only local server when there is no Runtime API: by package name, at run time, never bundled.
import { RuntimeApiError } from "./errors";

/** A running local Runtime API, as the runtime uses it. `streaming-rest-api/local`'s `LocalServer` fits. */
export interface LocalRuntimeApiServer {
  /** `host:port` to poll, as `AWS_LAMBDA_RUNTIME_API` would give it. */
  readonly runtimeApi: string;
  /**
   * Variables a deployment would set in the function's environment for the server's settings (e.g.
   * `STREAMING_REST_API_CORS`); the runtime reads them over its own environment. @default none
   */
  readonly functionEnvironment?: Readonly<Record<string, string>>;
  /** Stops the server. */
  close(): Promise<void>;
}

/** Starts a local Runtime API. `streaming-rest-api/local`'s `startLocalServer` fits. */
export type StartLocalServer = () => Promise<LocalRuntimeApiServer>;

/** The module that holds the local server: a development tool, installed with this package. */
export const LOCAL_SERVER_MODULE = "streaming-rest-api/local";

/**
 * Imports {@link LOCAL_SERVER_MODULE}'s `startLocalServer`. The specifier is a parameter, not a literal in an
 * `import()`, so bundlers (esbuild included) leave the local server out of every function's bundle; on Lambda
 * `AWS_LAMBDA_RUNTIME_API` is always set and this never runs.
 * @param specifier The module to import.
 * @throws {RuntimeApiError} When the module cannot be loaded, saying what to do.
 */
export async function importLocalServer(specifier: string = LOCAL_SERVER_MODULE): Promise<StartLocalServer> {
  let loaded: { startLocalServer?: unknown };
  try {
    loaded = (await import(specifier)) as { startLocalServer?: unknown };
  } catch (error) {
    throw new RuntimeApiError(
      `AWS_LAMBDA_RUNTIME_API is not set, so the runtime looked for the local server (${specifier}) and ` +
        `could not load it: ${(error as Error).message}. On Lambda the variable is always set. On your machine, ` +
        `install streaming-rest-api where this code runs, pass LambdaRuntime's runtimeApi or startLocalServer ` +
        "option, or use `npm start`.",
      "",
      undefined,
      { cause: error },
    );
  }
  const start = loaded.startLocalServer;
  if (typeof start !== "function") {
    throw new RuntimeApiError(`${specifier} has no startLocalServer function.`, "");
  }
  return start as StartLocalServer;
}
