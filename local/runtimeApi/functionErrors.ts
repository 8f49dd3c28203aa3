// Reads the errors a runtime reports: `/error` and `/init/error` bodies, and a streamed response's error trailers.
import type { IncomingMessage } from "node:http";
import { ResponseHeader } from "../../runtime/protocol";
import type { FunctionErrorReport } from "./invocation";

/**
 * Reads an `/error` or `/init/error` body: Lambda's error JSON, with the type header taking precedence.
 * @param request The runtime's request (for the `Lambda-Runtime-Function-Error-Type` header).
 * @param body Its body.
 */
export function errorReport(request: IncomingMessage, body: Buffer): FunctionErrorReport {
  const typeHeader = errorTypeHeader(request);
  const parsed = parseErrorJson(body.toString("utf8"));
  return {
    errorType: typeHeader ?? parsed?.errorType ?? "Unknown",
    errorMessage: parsed?.errorMessage ?? body.toString("utf8"),
    ...(parsed?.stackTrace ? { stackTrace: parsed.stackTrace } : {}),
  };
}

/** The `Lambda-Runtime-Function-Error-Type` header of a runtime's request, if present. */
export function errorTypeHeader(request: IncomingMessage): string | undefined {
  const value = request.headers[ResponseHeader.errorType.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The error a streamed response's trailers report, if any (the body trailer is base64 JSON).
 * @param trailers The request's trailers (names lower case).
 */
export function errorFromTrailers(trailers: NodeJS.Dict<string>): FunctionErrorReport | undefined {
  const errorType = trailers[ResponseHeader.errorType.toLowerCase()];
  const encoded = trailers[ResponseHeader.errorBody.toLowerCase()];
  if (errorType === undefined && encoded === undefined) return undefined;
  const text = encoded === undefined ? "" : Buffer.from(encoded, "base64").toString("utf8");
  const parsed = parseErrorJson(text);
  return {
    errorType: errorType ?? parsed?.errorType ?? "Unknown",
    errorMessage: parsed?.errorMessage ?? text,
    ...(parsed?.stackTrace ? { stackTrace: parsed.stackTrace } : {}),
  };
}

/** The error an invocation fails with when the runtime's connection breaks before its reply is complete. */
export function truncatedReply(cause: unknown): FunctionErrorReport {
  return {
    errorType: "Runtime.TruncatedReply",
    errorMessage: `The runtime's connection closed before its reply was complete (${(cause as Error).message}).`,
  };
}

function parseErrorJson(text: string): Partial<FunctionErrorReport> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return undefined;
    const { errorType, errorMessage, stackTrace } = value as Record<string, unknown>;
    return {
      ...(typeof errorType === "string" ? { errorType } : {}),
      ...(typeof errorMessage === "string" ? { errorMessage } : {}),
      ...(Array.isArray(stackTrace) ? { stackTrace: stackTrace.map(String) } : {}),
    };
  } catch {
    return undefined;
  }
}
