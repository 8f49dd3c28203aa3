// Builds the per-invocation context from the `/next` headers and the function's environment.
import type { Invocation } from "./client";
import type { LambdaContext } from "./handler";
import { InvocationHeader } from "./protocol";

/** The function's static identity, read once from the environment Lambda sets. */
export interface FunctionIdentity {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
}

/** Reads the function's identity from `AWS_LAMBDA_*` variables; missing ones are empty strings. */
export function functionIdentity(env: Readonly<Record<string, string | undefined>>): FunctionIdentity {
  return {
    functionName: env.AWS_LAMBDA_FUNCTION_NAME ?? "",
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION ?? "",
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? "",
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME ?? "",
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME ?? "",
  };
}

/** A context plus what the loop needs to manage it. */
export interface InvocationContext extends LambdaContext {
  /** Whether `Lambda-Runtime-Deadline-Ms` was present and valid. */
  readonly hasDeadline: boolean;
  /** Aborts the context's signal (called when the deadline passes). */
  abort(reason: Error): void;
}

/**
 * The smallest `Lambda-Runtime-Deadline-Ms` taken as a deadline: 10^12 ms since the epoch (2001-09-09).
 * Smaller numbers are not epoch times (@vercel/fun sends a relative `5000`), so they are malformed.
 */
const MIN_DEADLINE_EPOCH_MS = 1e12;

/**
 * Creates the context for one invocation. Malformed optional headers never fail an invocation: a bad
 * deadline (not a number, or too small to be epoch milliseconds) means "no deadline", bad client context or
 * identity JSON is kept as the raw string.
 */
export function createContext(invocation: Invocation, identity: FunctionIdentity): InvocationContext {
  const headers = invocation.headers;
  const deadline = Number(headers[InvocationHeader.deadlineMs]);
  const hasDeadline = Number.isFinite(deadline) && deadline >= MIN_DEADLINE_EPOCH_MS;
  const deadlineMs = hasDeadline ? deadline : Number.POSITIVE_INFINITY;
  let controller: AbortController | undefined;
  let abortReason: Error | undefined;
  let clientContext: unknown;
  let cognitoIdentity: unknown;
  let parsedJson = false;
  const parseJson = (): void => {
    if (parsedJson) return;
    parsedJson = true;
    clientContext = parseOptionalJson(headers[InvocationHeader.clientContext]);
    cognitoIdentity = parseOptionalJson(headers[InvocationHeader.cognitoIdentity]);
  };
  return {
    ...identity,
    requestId: invocation.requestId,
    awsRequestId: invocation.requestId,
    deadlineMs,
    hasDeadline,
    invokedFunctionArn: headers[InvocationHeader.invokedFunctionArn] ?? "",
    traceId: headers[InvocationHeader.traceId],
    tenantId: headers[InvocationHeader.tenantId] || undefined,
    getRemainingTimeInMillis: () =>
      hasDeadline ? Math.max(0, deadlineMs - Date.now()) : Number.MAX_SAFE_INTEGER,
    get clientContext() {
      parseJson();
      return clientContext;
    },
    get cognitoIdentity() {
      parseJson();
      return cognitoIdentity;
    },
    // Created on first use: most handlers never look at it, and an AbortController per invocation costs.
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (abortReason) controller.abort(abortReason);
      }
      return controller.signal;
    },
    abort(reason: Error) {
      abortReason ??= reason;
      controller?.abort(reason);
    },
  };
}

function parseOptionalJson(text: string | undefined): unknown {
  if (text === undefined || text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
