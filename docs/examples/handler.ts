// The handler both examples deploy: streams three numbers a second apart, then a last line.
import type { StreamingLambdaHandler } from "streaming-rest-api/runtime";

export const handler: StreamingLambdaHandler = async (_event, responseWriter) => {
  await responseWriter.writeStatusAndHeaders({ statusCode: 200, headers: { "Content-Type": "text/plain" } });
  for (let i = 1; i <= 3; i++) {
    await responseWriter.write(`${i}\n`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  await responseWriter.writeAndFinish("Streaming complete!\n");
};
