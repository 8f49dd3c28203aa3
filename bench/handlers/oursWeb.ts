// Web-scenario handlers for our runtime: the Hono app and the bare fetch function through fetchHandler, and the writer API.
import { fetchHandler, parseRestApiEvent, type StreamingLambdaHandler } from "../../runtime";
import { benchFetchFunction, createBenchHonoApp, streamFromQuery } from "./webApp";
import { STREAM_PRELUDE, chunkOf } from "./work";

/** The bench's Hono app through `fetchHandler`: what a Hono user deploys on our runtime. */
export const honoFetch = fetchHandler(createBenchHonoApp());

/** The same work as a bare fetch function through `fetchHandler`: the adapter's own cost, without Hono's. */
export const plainFetch = fetchHandler(benchFetchFunction);

/** The same work through the writer API: parse the event, read the query, write the prelude and the chunks. */
export const writer: StreamingLambdaHandler = async (raw, responseWriter) => {
  const event = parseRestApiEvent(raw);
  const query = event.queryStringParameters ?? {};
  const { chunks, chunkSize } = streamFromQuery(query.chunks, query.size);
  const chunk = chunkOf(chunkSize);
  await responseWriter.writeStatusAndHeaders(STREAM_PRELUDE);
  for (let i = 0; i < chunks; i++) await responseWriter.write(chunk);
  await responseWriter.finish();
};
