// Telemetry frames byte by byte, and writing them to a descriptor that is full or broken.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { writeWholeSync } from "../../runtime/logging/fdWrite";
import { FrameEncoder, frameType } from "../../runtime/logging/frames";
import { LogLevels, type LogLevelName } from "../../runtime/logging/levels";
import { FunctionLogger } from "../../runtime/logging/logger";
import { TelemetryFdSink } from "../../runtime/logging/sinks";
import { CaptureSink, FRAME_TYPES, parseFrames, textFields } from "./helpers";

describe("telemetry frames", () => {
  it("carry the format and the level in the frame type, as AWS's runtime writes them", () => {
    for (const format of ["TEXT", "JSON"] as const) {
      for (const name of Object.keys(LogLevels) as LogLevelName[]) {
        expect(frameType(format, LogLevels[name]), `${format} ${name}`).to.equal(FRAME_TYPES[format][name]);
      }
    }
  });

  it("have a 16-byte big-endian header: type, length in UTF-8 bytes, microseconds since the epoch", () => {
    const record = "2026-01-01T00:00:00.123Z\treq\tINFO\tcafé ☕\n";
    const timestampMs = Date.parse("2026-01-01T00:00:00.123Z");
    const frame = new FrameEncoder().encode(0xa55a000f, timestampMs, record);
    expect(frame.readUInt32BE(0)).to.equal(0xa55a000f);
    expect(frame.readUInt32BE(4)).to.equal(Buffer.byteLength(record)).and.to.be.greaterThan(record.length);
    expect(frame.readBigInt64BE(8)).to.equal(BigInt(timestampMs) * 1000n);
    expect(frame.subarray(16).toString("utf8")).to.equal(record);
    expect(frame.length).to.equal(16 + Buffer.byteLength(record));
  });

  it("hold records larger than the reused buffer, whole", () => {
    const encoder = new FrameEncoder();
    const small = encoder.encode(1, 0, "small");
    expect(small.subarray(16).toString()).to.equal("small");
    const large = "€".repeat(200_000);
    const [frame] = parseFrames(Buffer.from(encoder.encode(0xa55a0002, 1_700_000_000_000, large)));
    expect(frame?.length).to.equal(600_000);
    expect(frame?.text).to.equal(large);
    expect(frame?.timestampUs).to.equal(1_700_000_000_000_000n);
  });

  describe("written to a descriptor", () => {
    let dir: string;
    const open: number[] = [];
    before(() => {
      dir = fs.mkdtempSync(path.join(tmpdir(), "log-frames-"));
    });
    afterEach(() => {
      for (const fd of open.splice(0)) fs.closeSync(fd);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** A named pipe opened for reading and writing, without blocking: a pipe whose reader is this test. */
    function fifo(name: string): number {
      const file = path.join(dir, name);
      execFileSync("mkfifo", [file]);
      const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
      open.push(fd);
      return fd;
    }

    /** Fills a non-blocking pipe to the last byte (writes of 4 KiB or less are all or nothing). */
    function fill(fd: number): void {
      const page = Buffer.alloc(4096, 0x2e);
      for (;;) {
        try {
          fs.writeSync(fd, page);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "EAGAIN") break;
          throw error;
        }
      }
      for (;;) {
        try {
          fs.writeSync(fd, page, 0, 1);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "EAGAIN") return;
          throw error;
        }
      }
    }

    /** Reads everything a non-blocking pipe holds. */
    function drain(fd: number): Buffer {
      const chunks: Buffer[] = [];
      for (;;) {
        const chunk = Buffer.alloc(65536);
        try {
          const read = fs.readSync(fd, chunk);
          if (read === 0) break;
          chunks.push(chunk.subarray(0, read));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "EAGAIN") break;
          throw error;
        }
      }
      return Buffer.concat(chunks);
    }

    it("gives up on a pipe that stays full after about a tenth of a second, without writing a byte", () => {
      const fd = fifo("full");
      fill(fd);
      const started = Date.now();
      expect(writeWholeSync(fd, Buffer.from("frame")).kind).to.equal("full");
      expect(Date.now() - started).to.be.at.least(100);
      const drained = drain(fd);
      expect(
        drained.every((byte) => byte === 0x2e),
        "only the filler",
      ).to.equal(true);
    });

    it("counts the records dropped meanwhile, and says so once the pipe takes records again", () => {
      const fd = fifo("dropped");
      const fallback = new CaptureSink("stdout");
      const logger = new FunctionLogger(
        { format: "TEXT", minLevel: LogLevels.TRACE },
        new TelemetryFdSink(fd, "TEXT"),
        () => fallback,
      );
      fill(fd);
      logger.log(LogLevels.INFO, ["lost 1"]);
      logger.log(LogLevels.INFO, ["lost 2"]);
      drain(fd);
      logger.log(LogLevels.INFO, ["kept"]);
      const frames = parseFrames(drain(fd));
      expect(frames.map((frame) => textFields(frame.text.trimEnd()).message)).to.deep.equal([
        "kept",
        "[runtime] 2 log record(s) were dropped: the telemetry descriptor " +
          `${fd} stayed full (its reader is not keeping up).`,
      ]);
      expect(frames.map((frame) => frame.type)).to.deep.equal([FRAME_TYPES.TEXT.INFO, FRAME_TYPES.TEXT.WARN]);
      expect(fallback.records).to.deep.equal([]);
    });

    it("moves to stdout, saying why, when the descriptor breaks (its reader is gone)", () => {
      const file = path.join(dir, "broken");
      execFileSync("mkfifo", [file]);
      const reader = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      open.push(fd);
      fs.closeSync(reader);
      const fallback = new CaptureSink("stdout");
      const logger = new FunctionLogger(
        { format: "JSON", minLevel: LogLevels.TRACE },
        new TelemetryFdSink(fd, "JSON"),
        () => fallback,
      );
      logger.log(LogLevels.ERROR, ["after the break"]);
      logger.log(LogLevels.INFO, ["and later"]);
      expect(logger.destination).to.equal("stdout");
      const messages = fallback.texts.map((text) => (JSON.parse(text) as { message: string }).message);
      expect(messages).to.have.length(3);
      expect(messages[0]).to.match(/^\[runtime\] writing to the telemetry descriptor \d+ failed \(EPIPE/);
      expect(messages[0]).to.include("logging to stdout from now on");
      expect(messages.slice(1)).to.deep.equal(["after the break", "and later"]);
    });
  });
});
