// Deterministic zip archives: sorted entries, a fixed timestamp and explicit Unix modes, written with yazl.
import { ZipFile } from "yazl";

/** One file of a zip archive. */
export interface ZipEntry {
  /** Path inside the archive, with `/` separators. */
  readonly name: string;
  readonly contents: Buffer;
  /** Unix permission bits, e.g. `0o755` for an executable (the regular-file type bits are added). */
  readonly mode: number;
}

/**
 * The timestamp of every entry: 1980-01-01 00:00, the earliest MS-DOS date. Built from local-time fields
 * because zip stores local DOS time: the same fields, so the same bytes, in every time zone.
 */
function fixedEntryTime(): Date {
  return new Date(1980, 0, 1, 0, 0, 0, 0);
}

/** `S_IFREG`: the file-type bits of a regular file, stored with the permission bits. */
const REGULAR_FILE = 0o100000;

/** Compares by UTF-16 code units, which does not depend on the locale (unlike `localeCompare`). */
function byName(a: ZipEntry, b: ZipEntry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Zips `entries` into a buffer. The same entries always give the same bytes (with the same zlib): entries are
 * sorted by name, stamped with a fixed time (without yazl's UTC extra field) and given their own modes.
 */
export function zipDeterministically(entries: readonly ZipEntry[]): Promise<Buffer> {
  const names = new Set<string>();
  for (const entry of entries) {
    if (names.has(entry.name)) throw new Error(`zip: duplicate entry ${JSON.stringify(entry.name)}`);
    names.add(entry.name);
    if (!Number.isInteger(entry.mode) || entry.mode < 0 || entry.mode > 0o777) {
      throw new Error(`zip: mode of ${JSON.stringify(entry.name)} must be permission bits (0 to 0o777)`);
    }
  }
  const zip = new ZipFile();
  for (const entry of [...entries].sort(byName)) {
    zip.addBuffer(entry.contents, entry.name, {
      mtime: fixedEntryTime(),
      forceDosTimestamp: true,
      mode: REGULAR_FILE | entry.mode,
      compress: true,
    });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on("error", reject);
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
  });
}
