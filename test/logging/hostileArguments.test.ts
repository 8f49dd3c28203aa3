// Console arguments that break naive loggers (cycles, BigInt, throwing getters, revoked proxies, huge strings)
// are written, never thrown from.
import { expect } from "chai";
import { Writable } from "node:stream";
import { inspect } from "node:util";
import { Console } from "node:console";
import { patchConsole } from "../../runtime/logging/consolePatch";
import { LogLevels } from "../../runtime/logging/levels";
import { FunctionLogger } from "../../runtime/logging/logger";
import type { LogFormat } from "../../runtime/logging/settings";
import { CaptureSink, textFields } from "./helpers";

/** Values that throw when read, printed or serialised, each built fresh. */
function hostileValues(): Record<string, unknown> {
  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = cyclic;
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const thrower = (): never => {
    throw new Error("trap");
  };
  const errorWithBadParts = new Error("bad parts");
  Object.defineProperty(errorWithBadParts, "detail", { enumerable: true, get: thrower });
  Object.defineProperty(errorWithBadParts, "constructor", { get: thrower });
  return {
    cyclic,
    bigint: 10n,
    nestedBigint: { total: 2n ** 70n },
    throwingGetter: Object.defineProperty({}, "secret", { enumerable: true, get: thrower }),
    throwingToJSON: { toJSON: thrower },
    revokedProxy: revoked,
    trappedProxy: new Proxy({}, { get: thrower, ownKeys: thrower, getPrototypeOf: thrower, has: thrower }),
    throwingInspect: { [inspect.custom]: thrower },
    symbol: Symbol("s"),
    errorWithBadParts,
  };
}

function loggerFor(format: LogFormat): { logger: FunctionLogger; sink: CaptureSink } {
  const sink = new CaptureSink();
  return { logger: new FunctionLogger({ format, minLevel: LogLevels.TRACE }, sink, () => sink), sink };
}

describe("hostile console arguments", () => {
  for (const format of ["TEXT", "JSON"] as const) {
    describe(format, () => {
      for (const [name, value] of Object.entries(hostileValues())) {
        it(`writes one record for ${name}, alone and among other arguments`, () => {
          const { logger, sink } = loggerFor(format);
          expect(() => logger.log(LogLevels.ERROR, [value])).to.not.throw();
          expect(() =>
            logger.log(LogLevels.ERROR, ["value: %s %o %j", value, value, value, value]),
          ).to.not.throw();
          expect(() => logger.logError(LogLevels.ERROR, "about", value)).to.not.throw();
          expect(sink.records).to.have.length(3);
          if (format === "JSON")
            for (const text of sink.texts) expect(() => JSON.parse(text), text).to.not.throw();
        });
      }
    });
  }

  it("prints what can be printed: cycles marked, BigInt with its n, getters not called", () => {
    const { cyclic, nestedBigint, throwingGetter } = hostileValues();
    const { logger, sink } = loggerFor("TEXT");
    logger.log(LogLevels.INFO, [cyclic]);
    logger.log(LogLevels.INFO, [nestedBigint]);
    logger.log(LogLevels.INFO, [throwingGetter]);
    expect(sink.texts.map((text) => textFields(text).message)).to.deep.equal([
      "<ref *1> { name: 'loop', self: [Circular *1] }",
      "{ total: 1180591620717411303424n }",
      "{ secret: [Getter] }",
    ]);
  });

  it("writes a JSON message JSON cannot hold as its printed text, as AWS's runtime does", () => {
    const { cyclic, bigint } = hostileValues();
    const { logger, sink } = loggerFor("JSON");
    logger.log(LogLevels.INFO, [cyclic]);
    logger.log(LogLevels.INFO, [bigint]);
    expect(sink.texts.map((text) => (JSON.parse(text) as { message: unknown }).message)).to.deep.equal([
      "<ref *1> { name: 'loop', self: [Circular *1] }",
      "10n",
    ]);
  });

  it("names an argument that cannot be printed at all by its type, and prints the others", () => {
    const { throwingInspect } = hostileValues();
    const { logger, sink } = loggerFor("TEXT");
    logger.log(LogLevels.INFO, ["before", throwingInspect, "after"]);
    expect(textFields(sink.texts[0] as string).message).to.equal(
      "before [object that cannot be printed: Error: trap] after",
    );
  });

  it("writes a 16 MiB string whole, as one record", () => {
    const huge = "x".repeat(16 * 1024 * 1024);
    for (const format of ["TEXT", "JSON"] as const) {
      const { logger, sink } = loggerFor(format);
      logger.log(LogLevels.INFO, [huge]);
      expect(sink.records).to.have.length(1);
      const message =
        format === "TEXT"
          ? textFields(sink.texts[0] as string).message
          : (JSON.parse(sink.texts[0] as string) as { message: string }).message;
      expect(message.length, format).to.equal(huge.length);
    }
  });

  it("never throws from a patched console method either", () => {
    const { logger, sink } = loggerFor("JSON");
    const target = new Console(new Writable({ write: (_chunk, _encoding, done) => done() }));
    const restore = patchConsole(logger, target);
    try {
      for (const value of Object.values(hostileValues())) {
        expect(() => target.log(value)).to.not.throw();
        expect(() => target.error("failed:", value)).to.not.throw();
      }
    } finally {
      restore();
    }
    expect(sink.records).to.have.length(2 * Object.keys(hostileValues()).length);
  });
});
