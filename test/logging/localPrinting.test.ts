// npm start prints the runtime's framed records as lines: frames read whole however the pipe cuts them.
import { expect } from "chai";
import { PassThrough } from "node:stream";
import { FrameEncoder, frameType } from "../../runtime/logging/frames";
import { LogLevels } from "../../runtime/logging/levels";
import { printTelemetryLog, TelemetryFrameReader } from "../../local/telemetryLog";

const RECORDS = [
  {
    format: "TEXT",
    level: LogLevels.INFO,
    ms: 1_767_225_600_000,
    text: "2026-01-01T00:00:00.000Z\t-\tINFO\tloaded\n",
  },
  {
    format: "TEXT",
    level: LogLevels.ERROR,
    ms: 1_767_225_600_001,
    text: "2026-01-01T00:00:00.001Z\treq\tERROR\tError: x\n    at a (a.js:1:1)\n    at b (b.js:2:2)\n",
  },
  {
    format: "JSON",
    level: LogLevels.WARN,
    ms: 1_767_225_600_002,
    text: '{"level":"WARN","message":"café ☕"}',
  },
] as const;

function framesOf(records: typeof RECORDS): Buffer {
  const encoder = new FrameEncoder();
  return Buffer.concat(
    records.map((record) =>
      Buffer.from(encoder.encode(frameType(record.format, record.level), record.ms, record.text)),
    ),
  );
}

describe("printing the runtime's telemetry frames (npm start)", () => {
  it("reads every record whole, however the bytes are cut", () => {
    const bytes = framesOf(RECORDS);
    for (const size of [1, 3, 16, 17, 50, bytes.length]) {
      const reader = new TelemetryFrameReader();
      const records = [];
      for (let offset = 0; offset < bytes.length; offset += size) {
        const { records: complete, unframed } = reader.push(bytes.subarray(offset, offset + size));
        expect(unframed).to.equal("");
        records.push(...complete);
      }
      expect(reader.pendingBytes, `cut every ${size} bytes`).to.equal(0);
      expect(
        records.map((record) => [record.format, record.levelRank, record.timestampUs, record.record]),
      ).to.deep.equal(
        RECORDS.map((record) => [record.format, record.level.rank, record.ms * 1000, record.text]),
      );
    }
  });

  it("passes on bytes that are not frames as they are", () => {
    const reader = new TelemetryFrameReader();
    const first = reader.push(
      Buffer.concat([
        framesOf([RECORDS[0]] as unknown as typeof RECORDS),
        Buffer.from("plain text, no header\n"),
      ]),
    );
    expect(first.records.map((record) => record.record)).to.deep.equal([RECORDS[0].text]);
    expect(first.unframed).to.equal("plain text, no header\n");
    expect(reader.push(Buffer.from("more\n")).unframed).to.equal("more\n");
  });

  it("prints Text records with their own newlines and JSON records one per line", async () => {
    const stream = new PassThrough();
    let printed = "";
    const done = printTelemetryLog(stream, { write: (text) => (printed += text) });
    const bytes = framesOf(RECORDS);
    stream.write(bytes.subarray(0, 30));
    stream.end(bytes.subarray(30));
    await done;
    expect(printed).to.equal(`${RECORDS[0].text}${RECORDS[1].text}${RECORDS[2].text}\n`);
  });
});
