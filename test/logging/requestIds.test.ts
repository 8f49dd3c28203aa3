// Each record carries the request id of the invocation whose code logged it, even when invocations overlap.
import { expect } from "chai";
import { Console } from "node:console";
import { Writable } from "node:stream";
import { runInInvocation } from "../../runtime/invocationScope";
import { patchConsole } from "../../runtime/logging/consolePatch";
import { LogLevels } from "../../runtime/logging/levels";
import { FunctionLogger } from "../../runtime/logging/logger";
import { CaptureSink, textFields } from "./helpers";

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe("request ids", () => {
  it("follow each of two overlapping invocations through awaits, timers and callbacks", async () => {
    const sink = new CaptureSink();
    const logger = new FunctionLogger({ format: "JSON", minLevel: LogLevels.TRACE }, sink, () => sink);
    const target = new Console(new Writable({ write: (_chunk, _encoding, done) => done() }));
    const restore = patchConsole(logger, target);
    const aMayGoOn = gate();
    const bMayGoOn = gate();
    try {
      // A starts, B starts, then each resumes while the other is still in progress: A1 B1 A2 B2 A3 B3.
      const a = runInInvocation({ requestId: "A", traceId: undefined, tenantId: "tenant-a" }, async () => {
        target.log("A1");
        await aMayGoOn.opened;
        target.info("A2");
        await new Promise<void>((resolve) =>
          setTimeout(() => {
            target.warn("A3");
            bMayGoOn.open();
            resolve();
          }, 0),
        );
      });
      const b = runInInvocation({ requestId: "B", traceId: undefined, tenantId: undefined }, async () => {
        target.log("B1");
        aMayGoOn.open();
        await new Promise<void>((resolve) => setImmediate(resolve));
        target.error("B2");
        await bMayGoOn.opened;
        await new Promise<void>((resolve) => process.nextTick(resolve));
        target.log("B3");
      });
      target.log("outside");
      await Promise.all([a, b]);
    } finally {
      restore();
    }
    const records = sink.texts.map((text) => JSON.parse(text) as Record<string, string>);
    const byMessage = Object.fromEntries(records.map((record) => [record.message, record]));
    for (const message of ["A1", "A2", "A3"]) {
      expect(byMessage[message], message).to.include({ requestId: "A", tenantId: "tenant-a" });
    }
    for (const message of ["B1", "B2", "B3"]) {
      expect(byMessage[message], message).to.include({ requestId: "B" }).and.not.have.property("tenantId");
    }
    expect(byMessage.outside).to.include({ requestId: "-" });
    // The invocations did interleave: B logged between A's records.
    const order = records.map((record) => record.message);
    expect(order.indexOf("B1")).to.be.lessThan(order.indexOf("A2"));
    expect(order.indexOf("A3")).to.be.lessThan(order.indexOf("B3"));
  });

  it("are read when the record is written, not from the logger", () => {
    const sink = new CaptureSink();
    const logger = new FunctionLogger({ format: "TEXT", minLevel: LogLevels.TRACE }, sink, () => sink);
    runInInvocation({ requestId: "first", traceId: undefined, tenantId: undefined }, () => {
      logger.log(LogLevels.INFO, ["in first"]);
      runInInvocation({ requestId: "nested", traceId: undefined, tenantId: undefined }, () =>
        logger.log(LogLevels.INFO, ["in nested"]),
      );
      logger.log(LogLevels.INFO, ["first again"]);
    });
    logger.log(LogLevels.INFO, ["after"]);
    expect(sink.texts.map((text) => textFields(text).requestId)).to.deep.equal([
      "first",
      "nested",
      "first",
      "-",
    ]);
  });
});
