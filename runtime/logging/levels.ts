// Log levels as Lambda names them, their order, and the level each console method logs at.

/** A level's name, as it appears in log lines, JSON records and `AWS_LAMBDA_LOG_LEVEL`. */
export type LogLevelName = "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR" | "FATAL";

/** A log level: its name and its rank. */
export interface LogLevel {
  readonly name: LogLevelName;
  /** 1 (`TRACE`, the most detailed) to 6 (`FATAL`); a logger writes the levels at or above its minimum. */
  readonly rank: number;
}

/** Every level, by name. */
export const LogLevels: Readonly<Record<LogLevelName, LogLevel>> = Object.freeze({
  TRACE: Object.freeze({ name: "TRACE", rank: 1 }),
  DEBUG: Object.freeze({ name: "DEBUG", rank: 2 }),
  INFO: Object.freeze({ name: "INFO", rank: 3 }),
  WARN: Object.freeze({ name: "WARN", rank: 4 }),
  ERROR: Object.freeze({ name: "ERROR", rank: 5 }),
  FATAL: Object.freeze({ name: "FATAL", rank: 6 }),
});

/** A console method the runtime takes over (`fatal` is one Lambda's Node.js runtime adds). */
export type ConsoleMethod = "trace" | "debug" | "info" | "log" | "warn" | "error" | "fatal";

/** The console methods the runtime takes over and the level of each: `log` is `INFO`, as on Lambda. */
export const CONSOLE_METHOD_LEVELS: ReadonlyArray<readonly [ConsoleMethod, LogLevel]> = Object.freeze([
  ["trace", LogLevels.TRACE],
  ["debug", LogLevels.DEBUG],
  ["info", LogLevels.INFO],
  ["log", LogLevels.INFO],
  ["warn", LogLevels.WARN],
  ["error", LogLevels.ERROR],
  ["fatal", LogLevels.FATAL],
] as const);

/**
 * The level a name stands for, in any case (`debug`, `DEBUG`).
 * @param value A level's name, e.g. the value of `AWS_LAMBDA_LOG_LEVEL`.
 * @returns The level, or `undefined` when `value` names none.
 */
export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  if (value === undefined) return undefined;
  const name = value.trim().toUpperCase();
  return Object.hasOwn(LogLevels, name) ? LogLevels[name as LogLevelName] : undefined;
}
