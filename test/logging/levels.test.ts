// AWS_LAMBDA_LOG_LEVEL and AWS_LAMBDA_LOG_FORMAT, the level filter, and the console methods the runtime takes over.
import { expect } from "chai";
import { Console } from "node:console";
import { Writable } from "node:stream";
import { LambdaRuntime } from "../../runtime";
import { patchConsole } from "../../runtime/logging/consolePatch";
import { LogLevels, parseLogLevel } from "../../runtime/logging/levels";
import { FunctionLogger } from "../../runtime/logging/logger";
import { readLogSettings, takeLogDestination } from "../../runtime/logging/settings";
import { FakeRuntimeApi } from "../helpers/fakeRuntimeApi";
import { LAMBDA_ENV } from "../helpers/runtimeHarness";
import { CaptureSink, textFields } from "./helpers";

/** A console of its own (so the test's own console is left alone), patched to write through `logger`. */
function patchedConsole(minLevel = LogLevels.TRACE) {
  const sink = new CaptureSink();
  const logger = new FunctionLogger({ format: "TEXT", minLevel }, sink, () => sink);
  const target = new Console(new Writable({ write: (_chunk, _encoding, done) => done() }));
  const restore = patchConsole(logger, target);
  const methods = target as unknown as Record<string, (...args: unknown[]) => void>;
  return { sink, target, methods, restore };
}

describe("log levels and settings", () => {
  it("parses level names in any case, and nothing else", () => {
    expect(parseLogLevel("debug")).to.equal(LogLevels.DEBUG);
    expect(parseLogLevel(" FATAL ")).to.equal(LogLevels.FATAL);
    for (const value of [undefined, "", "VERBOSE", "info1", "constructor", "__proto__"]) {
      expect(parseLogLevel(value), String(value)).to.equal(undefined);
    }
  });

  it("reads the format and level, defaulting to Text and every level", () => {
    expect(readLogSettings({})).to.deep.equal({
      format: "TEXT",
      minLevel: LogLevels.TRACE,
      warning: undefined,
    });
    expect(readLogSettings({ AWS_LAMBDA_LOG_FORMAT: "json", AWS_LAMBDA_LOG_LEVEL: "warn" })).to.deep.equal({
      format: "JSON",
      minLevel: LogLevels.WARN,
      warning: undefined,
    });
    expect(readLogSettings({ AWS_LAMBDA_LOG_FORMAT: "Text" }).format).to.equal("TEXT");
  });

  it("runs with unknown values as AWS's runtime does, and says which and why", () => {
    const settings = readLogSettings({ AWS_LAMBDA_LOG_FORMAT: "XML", AWS_LAMBDA_LOG_LEVEL: "LOUD" });
    expect(settings.format).to.equal("TEXT");
    expect(settings.minLevel).to.equal(LogLevels.TRACE);
    expect(settings.warning)
      .to.include('AWS_LAMBDA_LOG_FORMAT="XML"')
      .and.include('AWS_LAMBDA_LOG_LEVEL="LOUD"');
  });

  it("takes the telemetry descriptor out of the environment, read once", () => {
    const env: Record<string, string | undefined> = { _LAMBDA_TELEMETRY_LOG_FD: "7" };
    expect(takeLogDestination(env)).to.deep.equal({
      destination: { kind: "telemetry-fd", fd: 7 },
      warning: undefined,
    });
    expect(env).to.not.have.property("_LAMBDA_TELEMETRY_LOG_FD");
    expect(takeLogDestination(env).destination).to.deep.equal({ kind: "stdout" });
  });

  it("logs to stdout, saying why, when the descriptor is not a number", () => {
    for (const value of ["abc", "-1", "0", "2.5"]) {
      const taken = takeLogDestination({ _LAMBDA_TELEMETRY_LOG_FD: value });
      expect(taken.destination, value).to.deep.equal({ kind: "stdout" });
      expect(taken.warning, value).to.include("_LAMBDA_TELEMETRY_LOG_FD");
    }
  });

  it("uses the provider socket only on Lambda Managed Instances, as AWS's runtime does", () => {
    const socket = {
      _LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET: "/tmp/logs.sock",
      _LAMBDA_TELEMETRY_LOG_FD: "3",
    };
    expect(takeLogDestination({ ...socket }).destination).to.deep.equal({ kind: "telemetry-fd", fd: 3 });
    expect(takeLogDestination({ ...socket, AWS_LAMBDA_MAX_CONCURRENCY: "8" }).destination).to.deep.equal({
      kind: "fd-provider-socket",
      path: "/tmp/logs.sock",
    });
  });

  describe("the patched console", () => {
    it("writes each method at its level, log as INFO, and adds console.fatal", () => {
      const { sink, methods, restore } = patchedConsole();
      try {
        for (const method of ["trace", "debug", "info", "log", "warn", "error", "fatal"])
          methods[method]?.(method);
      } finally {
        restore();
      }
      expect(sink.texts.map((text) => [textFields(text).level, textFields(text).message])).to.deep.equal([
        ["TRACE", "trace"],
        ["DEBUG", "debug"],
        ["INFO", "info"],
        ["INFO", "log"],
        ["WARN", "warn"],
        ["ERROR", "error"],
        ["FATAL", "fatal"],
      ]);
    });

    it("writes nothing below the level: the filtered methods are one function that does nothing", () => {
      const { sink, methods, restore } = patchedConsole(LogLevels.ERROR);
      try {
        for (const method of ["trace", "debug", "info", "log", "warn", "error", "fatal"])
          methods[method]?.(method);
        expect(new Set(["trace", "debug", "info", "log", "warn"].map((m) => methods[m])).size).to.equal(1);
        expect(methods.debug?.toString()).to.match(/\{\s*\}$/);
      } finally {
        restore();
      }
      expect(sink.texts.map((text) => textFields(text).level)).to.deep.equal(["ERROR", "FATAL"]);
    });

    it("gives back the original methods, and removes console.fatal", () => {
      const target = new Console(new Writable({ write: (_chunk, _encoding, done) => done() }));
      const originalLog = target.log;
      const sink = new CaptureSink();
      const restore = patchConsole(
        new FunctionLogger({ format: "TEXT", minLevel: LogLevels.TRACE }, sink, () => sink),
        target,
      );
      expect(target.log).to.not.equal(originalLog);
      restore();
      expect(target.log).to.equal(originalLog);
      expect(target).to.not.have.property("fatal");
    });

    it("leaves a method someone replaced since as it is", () => {
      const { target, restore } = patchedConsole();
      const theirs = (): void => undefined;
      target.warn = theirs;
      restore();
      expect(target.warn).to.equal(theirs);
    });
  });

  describe("LambdaRuntime", () => {
    let api: FakeRuntimeApi | undefined;
    afterEach(async () => {
      await api?.close();
      api = undefined;
    });

    /** Runs one invocation and reports whether `console.log` was the runtime's during the handler, and after. */
    async function consoleDuringRun(
      patch: boolean | undefined,
    ): Promise<{ during: boolean; after: boolean }> {
      const original = console.log;
      api = await new FakeRuntimeApi().start();
      api.enqueue({ requestId: "req-patch", event: "{}" });
      let during = false;
      const runtime = new LambdaRuntime(
        async (_event, writer) => {
          during = console.log !== original;
          await writer.writeAndFinish("ok");
        },
        {
          runtimeApi: api.address,
          env: LAMBDA_ENV,
          log: { warn: () => undefined, error: () => undefined },
          onFatalError: () => undefined,
          ...(patch === undefined ? {} : { patchConsole: patch }),
        },
      );
      const running = runtime.run();
      await api.waitForReplies(1);
      runtime.stop();
      await running;
      return { during, after: console.log !== original };
    }

    it("takes over the console while it runs, by default, and gives it back when run() returns", async () => {
      expect(await consoleDuringRun(undefined)).to.deep.equal({ during: true, after: false });
    });

    it("leaves the console alone with patchConsole: false", async () => {
      expect(await consoleDuringRun(false)).to.deep.equal({ during: false, after: false });
    });
  });
});
