// Benchmark handlers for AWS's aws-lambda-ric, written the documented way (streamifyResponse, HttpResponseStream).
import type { Writable } from "node:stream";
import { TINY_RESULT, STREAM_PRELUDE, chunkOf, readStreamEvent } from "./work";

/** The global aws-lambda-ric installs before it loads a handler module (only what these handlers use). */
declare const awslambda: {
  streamifyResponse<T>(handler: (event: unknown, responseStream: Writable) => Promise<T>): unknown;
  HttpResponseStream: { from(responseStream: Writable, prelude: object): Writable };
};

/** Streams the chunks the event asks for after a 200 prelude, waiting for `drain` when `write` says so. */
export const streamed = awslambda.streamifyResponse(async (event, responseStream) => {
  const { chunks, chunkSize } = readStreamEvent(event);
  const chunk = chunkOf(chunkSize);
  const stream = awslambda.HttpResponseStream.from(responseStream, STREAM_PRELUDE);
  for (let i = 0; i < chunks; i++) {
    if (!stream.write(chunk)) await new Promise((resolve) => stream.once("drain", resolve));
  }
  stream.end();
});

/** Answers with a tiny API Gateway proxy response. */
export const bufferedTiny = async (): Promise<typeof TINY_RESULT> => TINY_RESULT;
