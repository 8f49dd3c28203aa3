// Records as Lambda's Node.js runtime writes them: the Text line and the JSON object, in and out of an invocation.
import { expect } from "chai";
import { runInInvocation, type InvocationScope } from "../../runtime/invocationScope";
import { LogLevels } from "../../runtime/logging/levels";
import { FunctionLogger } from "../../runtime/logging/logger";
import type { LogFormat } from "../../runtime/logging/settings";
import { CaptureSink, ISO_TIMESTAMP, textFields } from "./helpers";

const SCOPE: InvocationScope = { requestId: "req-1", traceId: "Root=1-abc", tenantId: undefined };
const TENANT_SCOPE: InvocationScope = { requestId: "req-2", traceId: undefined, tenantId: "tenant-42" };

function loggerFor(format: LogFormat): { logger: FunctionLogger; sink: CaptureSink } {
  const sink = new CaptureSink();
  return { logger: new FunctionLogger({ format, minLevel: LogLevels.TRACE }, sink, () => sink), sink };
}

/** The record of one console call made inside `scope` (or outside any invocation). */
function recordOf(
  format: LogFormat,
  args: unknown[],
  scope?: InvocationScope,
  level = LogLevels.INFO,
): string {
  const { logger, sink } = loggerFor(format);
  if (scope) runInInvocation(scope, () => logger.log(level, args));
  else logger.log(level, args);
  expect(sink.records).to.have.length(1);
  return sink.texts[0] as string;
}

function jsonOf(args: unknown[], scope: InvocationScope = SCOPE): Record<string, unknown> {
  return JSON.parse(recordOf("JSON", args, scope)) as Record<string, unknown>;
}

describe("log records", () => {
  describe("Text", () => {
    it("is timestamp, request id, level and the util.format message, tab-separated", () => {
      const before = Date.now();
      const line = recordOf("TEXT", ["%s has %d items: %j", "cart", 3, { a: 1 }], SCOPE, LogLevels.WARN);
      const fields = textFields(line);
      expect(fields.timestamp).to.match(ISO_TIMESTAMP);
      expect(Date.parse(fields.timestamp)).to.be.within(before, Date.now());
      expect(fields).to.include({ requestId: "req-1", level: "WARN", message: 'cart has 3 items: {"a":1}' });
    });

    it("says `-` for the request id outside any invocation, as AWS's runtime does", () => {
      expect(textFields(recordOf("TEXT", ["loading"])).requestId).to.equal("-");
    });

    it("keeps the message's newlines (each destination decides what to do with them)", () => {
      expect(textFields(recordOf("TEXT", ["one\ntwo"], SCOPE)).message).to.equal("one\ntwo");
    });

    it("prints objects and errors as console.log does", () => {
      const error = new TypeError("bad");
      error.stack = "TypeError: bad\n    at here (x.js:1:1)";
      expect(textFields(recordOf("TEXT", [{ a: [1, 2] }, error], SCOPE)).message).to.equal(
        "{ a: [ 1, 2 ] } TypeError: bad\n    at here (x.js:1:1)",
      );
    });

    it("gives an empty message for a call without arguments", () => {
      expect(textFields(recordOf("TEXT", [], SCOPE)).message).to.equal("");
    });
  });

  describe("JSON", () => {
    it("has timestamp, level, requestId and message, in that order", () => {
      const record = jsonOf(["hello %s", "world"]);
      expect(Object.keys(record)).to.deep.equal(["timestamp", "level", "requestId", "message"]);
      expect(record.timestamp).to.match(ISO_TIMESTAMP);
      expect(record).to.include({ level: "INFO", requestId: "req-1", message: "hello world" });
    });

    it("adds tenantId when the invocation has one", () => {
      const record = jsonOf(["hi"], TENANT_SCOPE);
      expect(Object.keys(record)).to.deep.equal(["timestamp", "level", "requestId", "tenantId", "message"]);
      expect(record.tenantId).to.equal("tenant-42");
    });

    it("says `-` for the request id outside any invocation", () => {
      expect(JSON.parse(recordOf("JSON", ["loading"]))).to.include({ requestId: "-" });
    });

    it("keeps a single argument as the message itself: a string as is, an object as JSON", () => {
      expect(jsonOf(["100%s"]).message).to.equal("100%s");
      expect(jsonOf([{ order: 7, items: ["a"] }]).message).to.deep.equal({ order: 7, items: ["a"] });
      expect(jsonOf([42]).message).to.equal(42);
      expect(jsonOf([null]).message).to.equal(null);
    });

    it("leaves the message out for a single value JSON cannot hold (undefined, a function)", () => {
      expect(jsonOf([undefined])).to.not.have.property("message");
      expect(jsonOf([() => 1])).to.not.have.property("message");
    });

    it("turns a single Error into errorType, errorMessage and stackTrace inside the message", () => {
      class PaymentError extends Error {
        code = "E42";
      }
      const error = new PaymentError("declined");
      const record = jsonOf([error]);
      expect(record.message).to.deep.include({
        errorType: "PaymentError",
        errorMessage: "declined",
        code: "E42",
      });
      const stackTrace = (record.message as { stackTrace: string[] }).stackTrace;
      expect(stackTrace[0]).to.equal("Error: declined");
      expect(stackTrace.length).to.be.greaterThan(1);
      expect(stackTrace.every((line) => !line.includes("\n"))).to.equal(true);
    });

    it("formats several arguments into one message, and an Error among them adds the error fields", () => {
      const error = new RangeError("too far");
      error.stack = "RangeError: too far\n    at a (a.js:1:1)\n    at b (b.js:2:2)";
      const record = jsonOf(["charge failed for %s:", "order-7", error]);
      expect(record.message).to.equal(
        "charge failed for order-7: RangeError: too far\n    at a (a.js:1:1)\n    at b (b.js:2:2)",
      );
      expect(record).to.include({ errorType: "RangeError", errorMessage: "too far" });
      expect(record.stackTrace).to.deep.equal([
        "RangeError: too far",
        "    at a (a.js:1:1)",
        "    at b (b.js:2:2)",
      ]);
    });

    it("takes the error fields from the runtime's own reports (logError), whatever the message", () => {
      const { logger, sink } = loggerFor("JSON");
      const error = new Error("boom");
      runInInvocation(SCOPE, () =>
        logger.logError(LogLevels.ERROR, "[runtime] req-1: handler failed", error),
      );
      const record = JSON.parse(sink.texts[0] as string) as Record<string, unknown>;
      expect(record).to.include({
        level: "ERROR",
        requestId: "req-1",
        message: "[runtime] req-1: handler failed",
        errorType: "Error",
        errorMessage: "boom",
      });
      expect(record.stackTrace).to.be.an("array").with.length.greaterThan(0);
    });

    it("describes a thrown value that is not an Error by its type", () => {
      const { logger, sink } = loggerFor("JSON");
      logger.logError(LogLevels.ERROR, "failed", "a string");
      expect(JSON.parse(sink.texts[0] as string)).to.include({
        errorType: "string",
        errorMessage: "a string",
      });
    });
  });

  it("writes in the text the timestamp it gives the destination", () => {
    const { logger, sink } = loggerFor("TEXT");
    for (let i = 0; i < 3; i++) logger.log(LogLevels.INFO, [String(i)]);
    for (const { timestampMs, record } of sink.records) {
      expect(Date.parse(textFields(record).timestamp)).to.equal(timestampMs);
    }
  });
});
