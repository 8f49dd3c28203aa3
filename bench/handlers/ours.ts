// Benchmark handlers for our runtime: the streamed and tiny buffered work of bench/handlers/work.ts.
import { buffered, type LambdaResponseStreamWriter, type StreamingLambdaHandler } from "../../runtime";
import { TINY_RESULT, STREAM_PRELUDE, chunkOf, readStreamEvent } from "./work";

/** Streams the chunks the event asks for after a 200 prelude, awaiting each write (backpressure). */
export const streamed: StreamingLambdaHandler = async (
  event: Buffer,
  writer: LambdaResponseStreamWriter,
): Promise<void> => {
  const { chunks, chunkSize } = readStreamEvent(JSON.parse(event.toString("utf8")));
  const chunk = chunkOf(chunkSize);
  await writer.writeStatusAndHeaders(STREAM_PRELUDE);
  for (let i = 0; i < chunks; i++) await writer.write(chunk);
  await writer.finish();
};

/** Answers with a tiny API Gateway proxy response. */
export const bufferedTiny = buffered(async () => TINY_RESULT);
