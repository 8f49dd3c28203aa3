// One log record, as Lambda's Node.js runtime writes it: a Text line or a JSON object.
import type { InvocationScope } from "../invocationScope";
import type { LogLevel } from "./levels";
import { errorFields, formatArguments, isError, messageJson, type ErrorFields } from "./safeSerialise";

/** The request id field of records written outside any invocation (module load), as AWS's runtime writes it. */
export const NO_REQUEST_ID = "-";

/**
 * A Text record: `timestamp<TAB>requestId<TAB>LEVEL<TAB>message`, without a line end (each destination adds
 * its own). The message keeps its newlines.
 * @param timestamp ISO 8601, milliseconds, UTC (`2026-01-01T00:00:00.000Z`).
 * @param scope The invocation the record belongs to; `undefined` outside any.
 * @param level The record's level.
 * @param message The formatted message (see `formatArguments`).
 */
export function textRecord(
  timestamp: string,
  scope: InvocationScope | undefined,
  level: LogLevel,
  message: string,
): string {
  return `${timestamp}\t${scope?.requestId ?? NO_REQUEST_ID}\t${level.name}\t${message}`;
}

/**
 * A JSON record: `timestamp`, `level`, `requestId`, `tenantId` (when the invocation has one) and `message`.
 * One argument is the message itself (a string, or an object as JSON); several are formatted into one string,
 * and the first `Error` after the first argument adds `errorType`, `errorMessage` and `stackTrace`.
 * @param timestamp ISO 8601, milliseconds, UTC.
 * @param scope The invocation the record belongs to; `undefined` outside any.
 * @param level The record's level.
 * @param args The arguments of the console call.
 * @param error An error the record is about, whatever `args` hold (the runtime's own messages). @default none
 */
export function jsonRecord(
  timestamp: string,
  scope: InvocationScope | undefined,
  level: LogLevel,
  args: readonly unknown[],
  error?: unknown,
): string {
  let record = `{"timestamp":"${timestamp}","level":"${level.name}","requestId":${JSON.stringify(scope?.requestId ?? NO_REQUEST_ID)}`;
  if (scope?.tenantId) record += `,"tenantId":${JSON.stringify(scope.tenantId)}`;
  if (args.length === 1 && error === undefined) {
    const message = messageJson(args[0]);
    return message === undefined ? `${record}}` : `${record},"message":${message}}`;
  }
  record += `,"message":${JSON.stringify(formatArguments(args))}`;
  const described = error === undefined ? firstErrorAfterFirst(args) : errorFields(error);
  return described === undefined ? `${record}}` : `${record},${errorMembers(described)}}`;
}

function firstErrorAfterFirst(args: readonly unknown[]): ErrorFields | undefined {
  for (let i = 1; i < args.length; i++) if (isError(args[i])) return errorFields(args[i]);
  return undefined;
}

function errorMembers(fields: ErrorFields): string {
  return (
    `"errorType":${JSON.stringify(fields.errorType)},"errorMessage":${JSON.stringify(fields.errorMessage)},` +
    `"stackTrace":${JSON.stringify(fields.stackTrace)}`
  );
}
