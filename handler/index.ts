// The example handler: streams 1, 2, 3 a second apart, then "Streaming complete!".
import type { LambdaContext, LambdaResponseStreamWriter, StreamingLambdaHandler } from "../runtime";

const PAUSE_MS = 1000;

/** Streams three numbers with one-second pauses, then a closing line, as `text/plain`. */
export const handler: StreamingLambdaHandler = async (
  _event: Buffer,
  responseWriter: LambdaResponseStreamWriter,
  context: LambdaContext,
): Promise<void> => {
  await responseWriter.writeStatusAndHeaders({
    statusCode: 200,
    headers: { "Content-Type": "text/plain", "x-my-custom-header": "streaming-example" },
  });
  for (let i = 1; i <= 3; i++) {
    await responseWriter.write(`${i}\n`);
    await pause(PAUSE_MS, context.signal);
  }
  await responseWriter.writeAndFinish("Streaming complete!\n");
};

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
