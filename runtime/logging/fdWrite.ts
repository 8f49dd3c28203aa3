// Writes bytes to a descriptor synchronously and whole, waiting a bounded time when it is full.
// Loaded without a static import: on Node 24 a static ESM import of a built-in costs start-up time.
const fs = process.getBuiltinModule("node:fs");

/** What became of a write: done, dropped because the descriptor stayed full, or failed for good. */
export type FdWriteOutcome =
  | { readonly kind: "written" }
  | { readonly kind: "full" }
  | { readonly kind: "failed"; readonly error: Error };

const WRITTEN: FdWriteOutcome = Object.freeze({ kind: "written" });
const FULL: FdWriteOutcome = Object.freeze({ kind: "full" });

/** Pauses before retrying a descriptor that is full (non-blocking and not read fast enough), in ms. */
const FULL_PAUSES_MS = [1, 2, 4, 8, 16, 32, 64];

let pauseCell: Int32Array | undefined;

/** Blocks this thread for `ms` without spinning. */
function pause(ms: number): void {
  pauseCell ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(pauseCell, 0, 0, ms);
}

/**
 * Writes all of `bytes` to `fd` before returning, so records keep their order and a frame is never split by
 * another. A blocking descriptor blocks as long as its reader needs (Lambda's always reads). A non-blocking
 * one that is full is retried a few times, for about 130 ms in all: if nothing could be written by then the
 * write is given up (`full`, the caller counts it); once part of the bytes went out, the rest is always
 * written, as a frame cut short would corrupt every frame after it.
 * @param fd The descriptor.
 * @param bytes What to write.
 */
export function writeWholeSync(fd: number, bytes: Uint8Array): FdWriteOutcome {
  let offset = 0;
  let pauses = 0;
  while (offset < bytes.length) {
    try {
      offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
      pauses = 0;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EINTR") continue;
      if (code !== "EAGAIN" && code !== "EWOULDBLOCK") {
        return { kind: "failed", error: error instanceof Error ? error : new Error(String(error)) };
      }
      if (offset === 0 && pauses >= FULL_PAUSES_MS.length) return FULL;
      pause(FULL_PAUSES_MS[Math.min(pauses, FULL_PAUSES_MS.length - 1)] as number);
      pauses++;
    }
  }
  return WRITTEN;
}

/**
 * Writes what `fd` takes at once, without waiting: a descriptor that is full, or fails, takes nothing more.
 * @param fd The descriptor.
 * @param bytes What to write.
 * @returns How many bytes were written (the rest is the caller's to write some other way, or to drop after a
 * failure, which is reported as all of them written).
 */
export function writeAtOnce(fd: number, bytes: Uint8Array): number {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EINTR") continue;
      if (code === "EAGAIN" || code === "EWOULDBLOCK") return offset;
      // A closed stdout: the line is lost, as it would be with console.log.
      return bytes.length;
    }
  }
  return offset;
}
