// The function's log settings (Lambda's loggingConfig): format and levels, checked against what Lambda accepts.
import { DEFAULTS, type StreamingRestApiSchemaArgs } from "./args";
import { ApplicationLogLevel, LogFormat, SystemLogLevel } from "./enums";
import { checkChoice, type Fail } from "./checks";

/** The function's log settings, resolved. Levels are `undefined` when Lambda's defaults apply. */
export interface ResolvedLogging {
  readonly logFormat: LogFormat;
  readonly applicationLogLevel: ApplicationLogLevel | undefined;
  readonly systemLogLevel: SystemLogLevel | undefined;
}

/** The log arguments of the component. */
export type LoggingArgs = Pick<
  StreamingRestApiSchemaArgs,
  "logFormat" | "applicationLogLevel" | "systemLogLevel"
>;

/**
 * Checks the log arguments: each a value Lambda accepts, and levels only with JSON logs (Lambda refuses
 * them with Text), refused with an error that names the argument and the fix.
 */
export function resolveLogging(args: LoggingArgs, fail: Fail): ResolvedLogging {
  const logFormat = checkChoice("logFormat", args.logFormat ?? DEFAULTS.logFormat, LogFormat, fail);
  const applicationLogLevel =
    args.applicationLogLevel === undefined
      ? undefined
      : checkChoice("applicationLogLevel", args.applicationLogLevel, ApplicationLogLevel, fail);
  const systemLogLevel =
    args.systemLogLevel === undefined
      ? undefined
      : checkChoice("systemLogLevel", args.systemLogLevel, SystemLogLevel, fail);
  if (logFormat !== LogFormat.Json) {
    const level = applicationLogLevel !== undefined ? "applicationLogLevel" : "systemLogLevel";
    if (args[level] !== undefined) {
      fail(
        level,
        `${level} is set but logFormat is ${JSON.stringify(logFormat)}: Lambda applies log levels to JSON logs ` +
          `only. Set logFormat to "JSON" to filter by level, or remove ${level}.`,
      );
    }
  }
  return { logFormat, applicationLogLevel, systemLogLevel };
}
