// What the fake writes back: the `/next` answer carrying an event, and plain status answers.
import { STATUS_CODES } from "node:http";

/** Runtime API paths (version 2018-06-01). */
export const RUNTIME_PATH = "/2018-06-01/runtime";
export const NEXT_PATH = `${RUNTIME_PATH}/invocation/next`;
export const INVOCATION_PATH = `${RUNTIME_PATH}/invocation/`;
export const INIT_ERROR_PATH = `${RUNTIME_PATH}/init/error`;

/** The function ARN `/next` answers carry unless an event overrides it. */
export const FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:test";
/** The trace id `/next` answers carry unless an event overrides it. */
export const TRACE_ID = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

const CRLF = Buffer.from("\r\n", "latin1");

/** An event to hand out on `/next`. */
export interface QueuedEvent {
  requestId: string;
  /** The event's bytes. @default "{}" */
  event?: string | Buffer;
  /** Header values that override the defaults; `undefined` leaves a header out. */
  headers?: Record<string, string | undefined>;
  /** Send the body chunked (in two chunks) instead of with a Content-Length. @default false */
  chunked?: boolean;
  /** Send the whole answer one byte at a time, this many ms apart. */
  trickleMs?: number;
}

/** The answer to a response or error post, as Lambda sends it. */
export const ACCEPTED = encodeAnswer(202, '{"status":"OK"}');

/** An answer with this status and JSON body; `headers` are added (e.g. `Connection: close`). */
export function encodeAnswer(
  status: number,
  body: string | Buffer,
  headers: Readonly<Record<string, string>> = {},
): Buffer {
  const payload = Buffer.from(body);
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Unknown"}\r\nContent-Type: application/json\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  head += `Content-Length: ${payload.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), payload]);
}

/**
 * The answer to `/next` for a queued event, as a head and the body's pieces (kept apart so that a large event
 * is not copied), with Lambda's headers unless the event overrides them.
 */
export function encodeNextAnswer(event: QueuedEvent, deadlineInMs: number): Buffer[] {
  const body = Buffer.from(event.event ?? "{}");
  const headers: Record<string, string | undefined> = {
    "Content-Type": "application/json",
    "Lambda-Runtime-Aws-Request-Id": event.requestId,
    "Lambda-Runtime-Deadline-Ms": String(Date.now() + deadlineInMs),
    "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN,
    "Lambda-Runtime-Trace-Id": TRACE_ID,
    ...event.headers,
  };
  let head = "HTTP/1.1 200 OK\r\n";
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) head += `${name}: ${value}\r\n`;
  }
  if (!event.chunked) return [Buffer.from(`${head}Content-Length: ${body.length}\r\n\r\n`, "latin1"), body];
  const half = Math.floor(body.length / 2);
  const parts = [Buffer.from(`${head}Transfer-Encoding: chunked\r\n\r\n`, "latin1")];
  for (const chunk of [body.subarray(0, half), body.subarray(half)]) {
    if (chunk.length > 0) parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`, "latin1"), chunk, CRLF);
  }
  parts.push(Buffer.from("0\r\n\r\n", "latin1"));
  return parts;
}
