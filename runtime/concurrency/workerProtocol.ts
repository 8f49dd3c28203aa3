// What the main thread and its worker threads tell each other: messages, and what a worker's exit code means.

/** A worker's message to the main thread. */
export type WorkerMessage =
  /** Its handler module loaded and it is polling: from now on, an exit is a crash, not a failed start. */
  { readonly kind: "ready" };

/** The main thread's message to a worker. */
export type SupervisorMessage =
  /** Stop polling, finish the invocations in progress, then end. */
  { readonly kind: "stop" };

/** Exit codes a worker ends with, and what the main thread does about each. */
export const WorkerExitCode = {
  /** Stopped when told to. */
  stopped: 0,
  /**
   * The runtime's fatal path (`process.exit(1)`, as on the main thread): the Runtime API is unreachable or
   * answered `/next` unexpectedly. The whole process exits, as Lambda expects.
   */
  fatal: 1,
  /**
   * An error nobody caught, outside any invocation: it failed its invocations in progress, and the main
   * thread starts a new worker in its place.
   */
  crashed: 3,
} as const;

/** Whether a value is a {@link WorkerMessage}. */
export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "ready";
}

/** Whether a value is a {@link SupervisorMessage}. */
export function isSupervisorMessage(value: unknown): value is SupervisorMessage {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "stop";
}
