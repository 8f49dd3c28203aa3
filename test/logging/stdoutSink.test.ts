// Records on stdout: one line each, newlines as \r except in a terminal, written at once when nothing waits.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { LogLevels } from "../../runtime/logging/levels";
import { StdoutSink, type LineStream } from "../../runtime/logging/sinks";

/** A stream that keeps what it is given, holding `writableLength` bytes back as told. */
function fakeStream(options: { isTTY?: boolean; fd?: number; writableLength?: number } = {}) {
  const chunks: string[] = [];
  const stream: LineStream = {
    ...options,
    write: (chunk) => chunks.push(Buffer.from(chunk).toString("utf8")),
    once: () => undefined,
    removeListener: () => undefined,
  };
  return { stream, chunks };
}

describe("stdout sink", () => {
  let dir: string;
  const open: number[] = [];
  before(() => {
    dir = fs.mkdtempSync(path.join(tmpdir(), "log-stdout-"));
  });
  afterEach(() => {
    for (const fd of open.splice(0)) fs.closeSync(fd);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function fifo(name: string): number {
    const file = path.join(dir, name);
    execFileSync("mkfifo", [file]);
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    open.push(fd);
    return fd;
  }

  it("writes one line per record, the message's newlines as \\r", () => {
    const { stream, chunks } = fakeStream();
    new StdoutSink(stream).write(LogLevels.INFO, 0, "a\nb\nc");
    expect(chunks).to.deep.equal(["a\rb\rc\n"]);
  });

  it("keeps the newlines in a terminal, so a stack trace reads as one", () => {
    const { stream, chunks } = fakeStream({ isTTY: true });
    new StdoutSink(stream).write(LogLevels.INFO, 0, "a\nb");
    expect(chunks).to.deep.equal(["a\nb\n"]);
  });

  it("writes straight to the descriptor when the stream holds nothing back", () => {
    const fd = fifo("direct");
    const { stream, chunks } = fakeStream({ fd, writableLength: 0 });
    new StdoutSink(stream).write(LogLevels.INFO, 0, "now");
    const read = Buffer.alloc(64);
    expect(read.toString("utf8", 0, fs.readSync(fd, read))).to.equal("now\n");
    expect(chunks).to.deep.equal([]);
  });

  it("leaves the line to the stream behind what it holds, to keep the order", () => {
    const fd = fifo("queued");
    const { stream, chunks } = fakeStream({ fd, writableLength: 10 });
    new StdoutSink(stream).write(LogLevels.INFO, 0, "later");
    expect(chunks).to.deep.equal(["later\n"]);
    expect(() => fs.readSync(fd, Buffer.alloc(8)))
      .to.throw()
      .with.property("code", "EAGAIN");
  });

  it("leaves to the stream what a full descriptor does not take", () => {
    const fd = fifo("full");
    const page = Buffer.alloc(4096);
    for (;;) {
      try {
        fs.writeSync(fd, page);
      } catch {
        break;
      }
    }
    const { stream, chunks } = fakeStream({ fd, writableLength: 0 });
    new StdoutSink(stream).write(LogLevels.INFO, 0, "x".repeat(8192));
    expect(chunks.join("").length).to.be.at.most(8193).and.to.be.at.least(1);
    expect(chunks.join("").endsWith("x\n")).to.equal(true);
  });
});
