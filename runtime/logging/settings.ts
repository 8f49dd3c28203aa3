// The logging settings Lambda hands a runtime in its environment, and where log records must go.
import { LogLevels, parseLogLevel, type LogLevel } from "./levels";

/** The shape of each record: Lambda's Text line or its JSON object. */
export type LogFormat = "TEXT" | "JSON";

/** The environment variables logging reads. Lambda sets them; the first two come from `loggingConfig`. */
export const LogEnvironment = {
  /** `Text` (the default) or `JSON`. */
  format: "AWS_LAMBDA_LOG_FORMAT",
  /** The least severe level written (`TRACE` ... `FATAL`); unset writes every level. */
  level: "AWS_LAMBDA_LOG_LEVEL",
  /** The descriptor Lambda reads framed records from; read once, then removed from the environment. */
  telemetryFd: "_LAMBDA_TELEMETRY_LOG_FD",
  /** A Unix socket whose connection takes the records, one JSON line each (Lambda Managed Instances). */
  fdProviderSocket: "_LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET",
  /** Set on Lambda Managed Instances: only then is the provider socket used, as AWS's runtime does. */
  maxConcurrency: "AWS_LAMBDA_MAX_CONCURRENCY",
} as const;

/** How records look and which are written. */
export interface LogSettings {
  readonly format: LogFormat;
  /** The least severe level written. */
  readonly minLevel: LogLevel;
  /** A setting that was not understood, said once when logging starts; `undefined` when all were. */
  readonly warning: string | undefined;
}

/** Where records go. */
export type LogDestination =
  /** Framed records (16-byte header each) on a descriptor Lambda reads. */
  | { readonly kind: "telemetry-fd"; readonly fd: number }
  /** One line per record on a connection to this Unix socket. */
  | { readonly kind: "fd-provider-socket"; readonly path: string }
  /** Lines on the process's standard output, a message's own newlines turned into `\r`. */
  | { readonly kind: "stdout" };

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads the format and the level. Unknown values never stop a function: an unknown format is Text and an
 * unknown level writes everything (as AWS's runtime does), and {@link LogSettings.warning} says so.
 * @param env The environment, usually `process.env`.
 */
export function readLogSettings(env: Environment): LogSettings {
  const problems: string[] = [];
  const rawFormat = env[LogEnvironment.format];
  const isJson = rawFormat?.trim().toUpperCase() === "JSON";
  if (
    rawFormat !== undefined &&
    rawFormat.trim() !== "" &&
    !isJson &&
    rawFormat.trim().toUpperCase() !== "TEXT"
  ) {
    problems.push(
      `${LogEnvironment.format}=${JSON.stringify(rawFormat)} is neither Text nor JSON: using Text`,
    );
  }
  const rawLevel = env[LogEnvironment.level];
  const level = parseLogLevel(rawLevel);
  if (rawLevel !== undefined && rawLevel.trim() !== "" && level === undefined) {
    problems.push(
      `${LogEnvironment.level}=${JSON.stringify(rawLevel)} is not one of ${Object.keys(LogLevels).join(", ")}: ` +
        "writing every level",
    );
  }
  return {
    format: isJson ? "JSON" : "TEXT",
    minLevel: level ?? LogLevels.TRACE,
    warning: problems.length > 0 ? `[runtime] ${problems.join("; ")}.` : undefined,
  };
}

/**
 * Decides where records go, and takes `_LAMBDA_TELEMETRY_LOG_FD` out of `env` (read once, as AWS's runtime
 * does, so that processes the function starts do not write to the descriptor too):
 * - on Lambda Managed Instances (`AWS_LAMBDA_MAX_CONCURRENCY` set) with a provider socket: that socket;
 * - else with a telemetry descriptor (a positive integer): framed records on it;
 * - else standard output.
 * @param env The environment to read and update, usually `process.env`.
 * @returns The destination, and a problem to report when the descriptor's value was not a number.
 */
export function takeLogDestination(env: Record<string, string | undefined>): {
  destination: LogDestination;
  warning: string | undefined;
} {
  const rawFd = env[LogEnvironment.telemetryFd];
  delete env[LogEnvironment.telemetryFd];
  const socketPath = env[LogEnvironment.fdProviderSocket];
  if (env[LogEnvironment.maxConcurrency] !== undefined && socketPath) {
    return { destination: { kind: "fd-provider-socket", path: socketPath }, warning: undefined };
  }
  if (rawFd === undefined || rawFd.trim() === "") {
    return { destination: { kind: "stdout" }, warning: undefined };
  }
  const fd = Number(rawFd);
  if (!Number.isInteger(fd) || fd <= 0) {
    return {
      destination: { kind: "stdout" },
      warning: `[runtime] ${LogEnvironment.telemetryFd}=${JSON.stringify(rawFd)} is not a descriptor number: logging to stdout.`,
    };
  }
  return { destination: { kind: "telemetry-fd", fd }, warning: undefined };
}
