// Checks that every client really did the work: right prelude, right byte counts, right buffered body.
import type { Exchange, Invocation } from "../../test/helpers/fakeRuntimeApi";
import { STREAM_PRELUDE, TINY_RESULT, type StreamEvent } from "../handlers/work";

const EXPECTED_HEADERS = JSON.stringify(STREAM_PRELUDE.headers);
const EXPECTED_TINY = JSON.stringify(TINY_RESULT);

/** Throws unless every record is a streamed response with the bench prelude and exactly the asked-for bytes. */
export function checkStreamed(records: readonly Invocation[], event: StreamEvent): void {
  const bodyBytes = event.chunks * event.chunkSize;
  for (const record of records) {
    const reply = replyOf(record);
    if (!isStreamed(reply)) fail(record, "was not posted in streaming mode");
    const prelude = parseJson(reply.prelude ?? "") as { statusCode?: unknown; headers?: unknown } | undefined;
    if (
      prelude?.statusCode !== STREAM_PRELUDE.statusCode ||
      JSON.stringify(prelude.headers) !== EXPECTED_HEADERS
    ) {
      fail(record, `has prelude ${reply.prelude}, expected ${JSON.stringify(STREAM_PRELUDE)}`);
    }
    if (reply.bodyBytes !== bodyBytes)
      fail(record, `streamed ${reply.bodyBytes} body bytes, expected ${bodyBytes}`);
  }
}

/**
 * Throws unless every record is a streamed response with status 200, `Content-Type: application/octet-stream`
 * (in whichever prelude field and casing the client's adapter puts it) and exactly the asked-for bytes: what a
 * web app's response becomes through `fetchHandler` or Hono's `streamHandle`.
 */
export function checkWebStreamed(records: readonly Invocation[], event: StreamEvent): void {
  const bodyBytes = event.chunks * event.chunkSize;
  const expectedType = STREAM_PRELUDE.headers["content-type"];
  for (const record of records) {
    const reply = replyOf(record);
    if (!isStreamed(reply)) fail(record, "was not posted in streaming mode");
    const prelude = parseJson(reply.prelude ?? "") as
      | {
          statusCode?: unknown;
          headers?: Record<string, unknown>;
          multiValueHeaders?: Record<string, unknown>;
        }
      | undefined;
    const types = [
      ...Object.entries(prelude?.headers ?? {}),
      ...Object.entries(prelude?.multiValueHeaders ?? {}).flatMap(([name, values]) =>
        (Array.isArray(values) ? values : []).map((value): [string, unknown] => [name, value]),
      ),
    ].filter(([name]) => name.toLowerCase() === "content-type");
    if (prelude?.statusCode !== 200 || types.length !== 1 || types[0]?.[1] !== expectedType) {
      fail(record, `has prelude ${reply.prelude}, expected status 200 and content-type ${expectedType}`);
    }
    if (reply.bodyBytes !== bodyBytes)
      fail(record, `streamed ${reply.bodyBytes} body bytes, expected ${bodyBytes}`);
  }
}

/** Throws unless every record is a buffered response whose JSON equals the tiny handler's result. */
export function checkBuffered(records: readonly Invocation[]): void {
  for (const record of records) {
    const reply = replyOf(record);
    if (isStreamed(reply)) fail(record, "was streamed, expected a buffered response");
    const body = reply.body.toString("utf8");
    if (JSON.stringify(parseJson(body)) !== EXPECTED_TINY)
      fail(record, `answered ${body}, expected ${EXPECTED_TINY}`);
  }
}

/** The invocation's `/response` post. */
function replyOf(record: Invocation): Exchange {
  const reply = record.reply;
  if (!reply?.path.endsWith("/response")) fail(record, `got ${reply ? reply.path : "no reply"}`);
  return reply;
}

/** Whether a response was posted in streaming mode (`Lambda-Runtime-Function-Response-Mode`). */
function isStreamed(reply: Exchange): boolean {
  return reply.headers["lambda-runtime-function-response-mode"] === "streaming";
}

function fail(record: Invocation, problem: string): never {
  throw new Error(`invocation ${record.requestId} ${problem}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
