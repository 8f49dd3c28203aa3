// Checks that every client really did the work: right prelude, right byte counts, right buffered body.
import type { InvocationRecord } from "../fakeRuntimeApi";
import { STREAM_PRELUDE, TINY_RESULT, type StreamEvent } from "../handlers/work";

const EXPECTED_HEADERS = JSON.stringify(STREAM_PRELUDE.headers);
const EXPECTED_TINY = JSON.stringify(TINY_RESULT);

/** Throws unless every record is a streamed response with the bench prelude and exactly the asked-for bytes. */
export function checkStreamed(records: readonly InvocationRecord[], event: StreamEvent): void {
  const bodyBytes = event.chunks * event.chunkSize;
  for (const record of records) {
    if (!record.streaming) fail(record, "was not posted in streaming mode");
    const prelude = parseJson(record.prelude ?? "") as
      { statusCode?: unknown; headers?: unknown } | undefined;
    if (
      prelude?.statusCode !== STREAM_PRELUDE.statusCode ||
      JSON.stringify(prelude.headers) !== EXPECTED_HEADERS
    ) {
      fail(record, `has prelude ${record.prelude}, expected ${JSON.stringify(STREAM_PRELUDE)}`);
    }
    if (record.bodyBytes !== bodyBytes)
      fail(record, `streamed ${record.bodyBytes} body bytes, expected ${bodyBytes}`);
  }
}

/** Throws unless every record is a buffered response whose JSON equals the tiny handler's result. */
export function checkBuffered(records: readonly InvocationRecord[]): void {
  for (const record of records) {
    if (record.streaming) fail(record, "was streamed, expected a buffered response");
    const body = record.bufferedBody.toString("utf8");
    if (JSON.stringify(parseJson(body)) !== EXPECTED_TINY)
      fail(record, `answered ${body}, expected ${EXPECTED_TINY}`);
  }
}

function fail(record: InvocationRecord, problem: string): never {
  throw new Error(`invocation ${record.requestId} ${problem}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
