// Console arguments to text and JSON without ever throwing: cycles, BigInt, throwing getters, revoked proxies.

// Loaded without a static import: on Node 24 a static ESM import of a built-in costs start-up time.
const { format, inspect } = process.getBuiltinModule("node:util");

/** What a JSON record says about an `Error`: the fields Lambda's runtime uses. */
export interface ErrorFields {
  /** The error's class name (`TypeError`, or a subclass's own name). */
  readonly errorType: string;
  readonly errorMessage: string;
  /** The stack, one entry per line, the first being `Type: message`. */
  readonly stackTrace: readonly string[];
}

/**
 * The message of a console call, as `console.log` would print it (`util.format` semantics: `%s`, `%d`, `%o`
 * ... in a first string argument, the others inspected and joined with spaces). When `util.format` throws
 * (a custom inspector or a `toString` that throws), each argument is printed on its own, and one that cannot
 * be printed at all is named by its type. Never throws for the arguments' sake.
 * @param args The arguments of the call.
 */
export function formatArguments(args: readonly unknown[]): string {
  if (args.length === 0) return "";
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  try {
    return format(...args);
  } catch {
    return args.map(describeArgument).join(" ");
  }
}

function describeArgument(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return inspect(value);
  } catch (error) {
    return `[${typeName(value)} that cannot be printed: ${messageOf(error)}]`;
  }
}

/**
 * A value as the `message` of a JSON record, as AWS's runtime writes it: a string as a JSON string, an object
 * as JSON (an `Error` inside it as {@link ErrorFields} plus its own fields), and a value JSON cannot hold
 * (cycles, BigInt, a getter or `toJSON` that throws, a revoked proxy) as its printed text instead.
 * @param value The single argument of a console call.
 * @returns JSON text, or `undefined` for a value JSON leaves out (`undefined`, a function, a symbol).
 */
export function messageJson(value: unknown): string | undefined {
  if (typeof value === "string") return JSON.stringify(value);
  try {
    return JSON.stringify(value, errorReplacer);
  } catch {
    return JSON.stringify(formatArguments([value]));
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? Object.assign({ ...errorFields(value) }, value) : value;
}

/** Whether `value` is an `Error`; `false` for a value that throws when asked (a revoked proxy). */
export function isError(value: unknown): value is Error {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

/**
 * Describes a thrown value for a JSON record: an `Error` by its class name, message and stack lines;
 * anything else by its type and printed text. Never throws.
 * @param thrown What was thrown or logged.
 */
export function errorFields(thrown: unknown): ErrorFields {
  if (!isError(thrown)) {
    return { errorType: typeName(thrown), errorMessage: formatArguments([thrown]), stackTrace: [] };
  }
  let errorType = "UnknownError";
  let errorMessage: string;
  let stackTrace: string[] = [];
  try {
    errorType = String(thrown.constructor?.name ?? errorType);
  } catch {
    // A constructor getter that throws: keep the default.
  }
  try {
    errorMessage = String(thrown.message);
  } catch {
    errorMessage = "(a message that cannot be read)";
  }
  try {
    const stack: unknown = thrown.stack;
    if (typeof stack === "string") stackTrace = stack.split("\n");
  } catch {
    // A stack getter that throws: no stack.
  }
  return { errorType, errorMessage, stackTrace };
}

function typeName(value: unknown): string {
  return value === null ? "null" : typeof value;
}

function messageOf(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return "an error that cannot be printed";
  }
}
