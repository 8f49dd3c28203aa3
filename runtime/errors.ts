// Error types the runtime throws, and the one place that turns any thrown value into a Runtime API error.

/** Thrown when a response writer is used out of order (write after finish, a second prelude...). */
export class ResponseStreamStateError extends Error {
  override name = "ResponseStreamStateError";
}

/** Thrown when the Runtime API answers something unexpected or the connection to it fails. */
export class RuntimeApiError extends Error {
  override name = "RuntimeApiError";
  constructor(
    message: string,
    /** The Runtime API path the request was for. */
    readonly path: string,
    /** The HTTP status received, when there was one. */
    readonly statusCode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Raised in the invocation when its deadline passes before the handler settles. */
export class InvocationTimeoutError extends Error {
  override name = "InvocationTimeoutError";
}

/** The JSON error document the Runtime API accepts on `/error` and `/init/error`, and in error trailers. */
export interface ErrorPayload {
  errorType: string;
  errorMessage: string;
  stackTrace: string[];
}

/**
 * Describes any thrown value as an {@link ErrorPayload}: an `Error` by its name, message and stack; anything
 * else (a string, `undefined`, an object with cycles) by its type and a safe rendering. Never throws.
 */
export function toErrorPayload(thrown: unknown): ErrorPayload {
  try {
    return describeThrown(thrown);
  } catch {
    // A value that throws when touched (a revoked Proxy, a throwing getter): `typeof` is all that is safe.
    return {
      errorType: typeof thrown,
      errorMessage: "(a thrown value that cannot be inspected)",
      stackTrace: [],
    };
  }
}

function describeThrown(thrown: unknown): ErrorPayload {
  if (thrown instanceof Error) {
    const stack = typeof thrown.stack === "string" ? thrown.stack.split("\n").slice(1) : [];
    return {
      errorType: headerSafeErrorType(errorName(thrown)),
      errorMessage: safeString(thrown.message),
      stackTrace: stack.map((line) => line.trim()),
    };
  }
  return {
    errorType: thrown === null ? "null" : typeof thrown,
    errorMessage: describeValue(thrown),
    stackTrace: [],
  };
}

/** Serializes an error payload; the result is always valid JSON. */
export function serializeErrorPayload(payload: ErrorPayload): string {
  return JSON.stringify(payload);
}

function errorName(error: Error): string {
  const name = typeof error.name === "string" && error.name !== "" ? error.name : error.constructor?.name;
  return name || "Error";
}

/** An error type travels in an HTTP header: keep it to visible ASCII, without CR/LF/NUL, and short. */
export function headerSafeErrorType(type: string): string {
  const cleaned = type.replace(/[^\x21-\x7e]/g, "").slice(0, 128);
  return cleaned === "" ? "Error" : cleaned;
}

/** Renders any value for a message: strings as they are, objects as cycle-safe JSON. Never throws. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "undefined";
  if (typeof value === "bigint" || typeof value === "symbol" || typeof value === "function") {
    return safeString(value);
  }
  try {
    return JSON.stringify(value, cycleSafeReplacer()) ?? safeString(value);
  } catch {
    return safeString(value);
  }
}

function cycleSafeReplacer(): (key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>();
  return (_key, value) => {
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "object" && value !== null) {
      if (seen.has(value)) return "[Circular]";
      seen.add(value);
    }
    return value;
  };
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
