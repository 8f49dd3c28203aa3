// Benchmark handlers for concurrent invocations (LMI): paced streams, small streams, CPU-bound hashing.
import { createHash } from "node:crypto";
import type { LambdaResponseStreamWriter, StreamingLambdaHandler } from "../../runtime";
import { chunkOf, STREAM_PRELUDE } from "./work";

export { streamed } from "./ours";

/** Export names of the handlers below, one bundle each. */
export const PACED_EXPORT = "paced";
export const HASHING_EXPORT = "hashing";
export const SMALL_EXPORT = "streamed";

/** A paced stream: `chunks` chunks of `chunkSize` bytes, `intervalMs` apart. */
export interface PacedEvent {
  readonly chunks: number;
  readonly chunkSize: number;
  readonly intervalMs: number;
}

/** CPU-bound work: `rounds` chained SHA-256 digests, then a small streamed answer. */
export interface HashingEvent {
  readonly rounds: number;
}

/** Streams the chunks the event asks for, waiting `intervalMs` before each (a slow upstream, say). */
export const paced: StreamingLambdaHandler = async (
  event: Buffer,
  writer: LambdaResponseStreamWriter,
): Promise<void> => {
  const { chunks, chunkSize, intervalMs } = JSON.parse(event.toString("utf8")) as PacedEvent;
  const chunk = chunkOf(chunkSize);
  await writer.writeStatusAndHeaders(STREAM_PRELUDE);
  for (let i = 0; i < chunks; i++) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    await writer.write(chunk);
  }
  await writer.finish();
};

/** Hashes for a while on this thread, then answers with the digest. */
export const hashing: StreamingLambdaHandler = async (
  event: Buffer,
  writer: LambdaResponseStreamWriter,
): Promise<void> => {
  const { rounds } = JSON.parse(event.toString("utf8")) as HashingEvent;
  const digest = hashRounds(rounds);
  await writer.writeStatusAndHeaders(STREAM_PRELUDE);
  await writer.writeAndFinish(digest.toString("hex"));
};

/** `rounds` chained SHA-256 digests of 32 zero bytes: fixed CPU work, the same on every thread. */
export function hashRounds(rounds: number): Buffer {
  let digest = Buffer.alloc(32);
  for (let i = 0; i < rounds; i++) digest = createHash("sha256").update(digest).digest();
  return digest;
}
