// A minimal zip reader for tests: reads the central directory (names, modes, DOS times) and inflates entries.
import { inflateRawSync } from "node:zlib";

/** One entry of a zip file, as a tool like `unzip` on Lambda would see it. */
export interface ZipFileEntry {
  readonly name: string;
  /** Unix mode from the external attributes (file type and permission bits). */
  readonly unixMode: number;
  /** The "version made by" host: 3 is Unix, which `unzip` needs to honour the mode. */
  readonly madeByHost: number;
  /** MS-DOS date and time fields. */
  readonly dosDate: number;
  readonly dosTime: number;
  /** Length of the entry's extra fields in the central directory (0: no extended timestamps). */
  readonly extraFieldLength: number;
  readonly contents: Buffer;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

/** Parses every entry of a (non-zip64) zip archive, in central directory order. */
export function readZip(zip: Buffer): ZipFileEntry[] {
  const endOffset = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOffset < 0 || zip.readUInt32LE(endOffset) !== END_OF_CENTRAL_DIRECTORY) {
    throw new Error("not a zip file: no end of central directory record");
  }
  const count = zip.readUInt16LE(endOffset + 10);
  let offset = zip.readUInt32LE(endOffset + 16);
  const entries: ZipFileEntry[] = [];
  for (let index = 0; index < count; index++) {
    if (zip.readUInt32LE(offset) !== CENTRAL_DIRECTORY_HEADER)
      throw new Error(`bad central header at ${offset}`);
    const madeBy = zip.readUInt16LE(offset + 4);
    const method = zip.readUInt16LE(offset + 10);
    const dosTime = zip.readUInt16LE(offset + 12);
    const dosDate = zip.readUInt16LE(offset + 14);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraFieldLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const externalAttributes = zip.readUInt32LE(offset + 38);
    const localOffset = zip.readUInt32LE(offset + 42);
    const name = zip.toString("utf8", offset + 46, offset + 46 + nameLength);
    entries.push({
      name,
      unixMode: externalAttributes >>> 16,
      madeByHost: madeBy >>> 8,
      dosDate,
      dosTime,
      extraFieldLength,
      contents: readLocalData(zip, localOffset, compressedSize, method),
    });
    offset += 46 + nameLength + extraFieldLength + commentLength;
  }
  return entries;
}

function readLocalData(zip: Buffer, offset: number, compressedSize: number, method: number): Buffer {
  if (zip.readUInt32LE(offset) !== LOCAL_FILE_HEADER) throw new Error(`bad local header at ${offset}`);
  const start = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
  const data = zip.subarray(start, start + compressedSize);
  if (method === 0) return Buffer.from(data);
  if (method === 8) return inflateRawSync(data);
  throw new Error(`unsupported compression method ${method}`);
}

/** MS-DOS date/time fields for a local date: what zip stores for an entry's modification time. */
export function dosDateTime(year: number, month: number, day: number): { dosDate: number; dosTime: number } {
  return { dosDate: ((year - 1980) << 9) | (month << 5) | day, dosTime: 0 };
}
