// The example handler: streams 1, 2, 3 a second apart, then "Streaming complete!".
import type { LambdaContext, LambdaResponseStreamWriter, StreamingLambdaHandler } from "../runtime";

/**
 * Makes the example handler: three numbers with pauses between them, then a closing line, as `text/plain`.
 * @param pauseMs pause after each number. @default 1000
 */
export function createHandler(pauseMs = 1000): StreamingLambdaHandler {
  return async (_event: Buffer, responseWriter: LambdaResponseStreamWriter, context: LambdaContext) => {
    await responseWriter.writeStatusAndHeaders({
      statusCode: 200,
      headers: { "Content-Type": "text/plain", "x-my-custom-header": "streaming-example" },
    });
    for (let i = 1; i <= 3; i++) {
      await responseWriter.write(`${i}\n`);
      await pause(pauseMs, context.signal);
    }
    await responseWriter.writeAndFinish("Streaming complete!\n");
  };
}

/** The example: streams 1, 2, 3 a second apart, then "Streaming complete!". */
export const handler: StreamingLambdaHandler = createHandler();

/** Waits, but gives up when the invocation's deadline passes. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
