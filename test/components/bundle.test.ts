// Bundler tests: zip layout and modes, byte-identical rebuilds, handler checks, what bundles hold, bundles that run.
import { expect } from "chai";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { build } from "esbuild";
import {
  BOOTSTRAP_SCRIPT,
  BundleError,
  buildBundle,
  findPackageRoot,
  locateRuntimeEntry,
  type BundleOptions,
  type BundleResult,
} from "../../components/bundle";
import { FakeRuntimeApi } from "../helpers/fakeRuntimeApi";
import { dosDateTime, readZip } from "./zipReader";

const FIXTURES = path.join(__dirname, "fixtures");
const FIXTURE_RUNTIME = path.join(FIXTURES, "runtime", "index.ts");
const ECHO_HANDLER = path.join(FIXTURES, "handlers", "echo.ts");
const THROWS_AT_LOAD_HANDLER = path.join(FIXTURES, "handlers", "throwsAtLoad.ts");
const FIXTURE_MARKER = "fixture-runtime-marker-7f3a";
const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** The local server's sources: a development tool, never part of a function. */
const LOCAL_DIR = path.join(REPO_ROOT, "local");
/**
 * Deployed bundles stay small: the example (runtime + handler) measured about 47 KB minified, of which the
 * Lambda-style logging is about 9 KB, concurrent invocations about 9 KB and CORS about 4 KB (features AWS's own
 * runtime also carries; their Node modules load only when used). Growth past this needs a reason.
 */
const EXAMPLE_BUNDLE_BUDGET_BYTES = 56 * 1024;
/** What Lambda passes a wrapper after the interpreter: the managed start-up's own arguments. */
const MANAGED_ARGUMENTS = ["--expose-gc", "--max-semi-space-size=6", "/var/runtime/index.mjs"];

/** The inputs under `local/`, from a list of bundled files (absolute paths or relative to the repository). */
function localServerInputs(inputs: readonly string[]): string[] {
  return inputs.filter((input) => path.resolve(REPO_ROOT, input).startsWith(LOCAL_DIR + path.sep));
}

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** What the fixture runtime prints after running the handler once. */
interface FixtureReport {
  marker: string;
  localServer?: string;
  result?: unknown;
  initError?: string;
}

describe("bundle", function () {
  let scratch: string;

  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "streaming-rest-api-bundle-"));
  });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  function bundleWithFixtureRuntime(
    label: string,
    options: Partial<BundleOptions> = {},
  ): Promise<BundleResult> {
    return buildBundle({
      handler: ECHO_HANDLER,
      outDir: path.join(scratch, label),
      runtimeEntry: FIXTURE_RUNTIME,
      ...options,
    });
  }

  /** Writes files under a fresh directory of the scratch space; returns the directory. */
  function writeTree(label: string, files: Record<string, string>): string {
    const dir = path.join(scratch, label);
    for (const [name, contents] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), contents);
    }
    return dir;
  }

  function runBundle(entryPath: string): FixtureReport {
    const output = execFileSync(process.execPath, [entryPath], { encoding: "utf8" });
    return JSON.parse(output) as FixtureReport;
  }

  async function expectBundleError(options: BundleOptions): Promise<BundleError> {
    try {
      await buildBundle(options);
    } catch (error) {
      expect(error).to.be.instanceOf(BundleError);
      return error as BundleError;
    }
    throw new Error("expected buildBundle to fail");
  }

  describe("the zip", function () {
    it("holds bootstrap (0755), index.mjs and its map (0644), sorted, with a fixed 1980-01-01 timestamp", async function () {
      const result = await bundleWithFixtureRuntime("layout");
      const zip = fs.readFileSync(result.zipPath);
      const entries = readZip(zip);

      expect(entries.map((entry) => entry.name)).to.deep.equal(["bootstrap", "index.mjs", "index.mjs.map"]);
      expect(entries.map((entry) => entry.unixMode.toString(8))).to.deep.equal([
        "100755",
        "100644",
        "100644",
      ]);
      for (const entry of entries) {
        expect(entry.madeByHost, `${entry.name} made by Unix, so unzip applies its mode`).to.equal(3);
        expect({ dosDate: entry.dosDate, dosTime: entry.dosTime }).to.deep.equal(dosDateTime(1980, 1, 1));
        expect(entry.extraFieldLength, `${entry.name} carries no UTC timestamp field`).to.equal(0);
      }
      const [bootstrap, bundle, map] = entries;
      expect(bootstrap?.contents.toString("utf8")).to.equal(BOOTSTRAP_SCRIPT);
      expect(bundle?.contents.equals(fs.readFileSync(result.entryPath))).to.equal(true);
      expect(map?.contents.equals(fs.readFileSync(`${result.entryPath}.map`))).to.equal(true);
      expect(result.bundleBytes).to.equal(fs.statSync(result.entryPath).size);
      expect(result.zipBytes).to.equal(zip.length);
      expect(result.zipSha256).to.equal(createHash("sha256").update(zip).digest("hex"));
      expect(path.basename(result.entryPath)).to.equal("index.mjs");
    });

    it("is byte-identical when rebuilt, in another directory and another time zone", async function () {
      const first = await bundleWithFixtureRuntime("rebuild-a");
      const savedZone = process.env.TZ;
      process.env.TZ = "Pacific/Kiritimati"; // UTC+14: local DOS time fields would differ from UTC ones
      try {
        const second = await bundleWithFixtureRuntime("rebuild-b");
        expect(second.zipSha256).to.equal(first.zipSha256);
        expect(fs.readFileSync(second.zipPath).equals(fs.readFileSync(first.zipPath))).to.equal(true);
      } finally {
        if (savedZone === undefined) delete process.env.TZ;
        else process.env.TZ = savedZone;
      }
    });

    it("has a bootstrap that, unzipped with its modes, starts the Node Lambda passes it, whatever PATH says", async function () {
      if (process.platform === "win32") this.skip();
      const result = await bundleWithFixtureRuntime("bootstrap");
      const taskRoot = path.join(scratch, "bootstrap-task-root");
      fs.mkdirSync(taskRoot);
      for (const entry of readZip(fs.readFileSync(result.zipPath))) {
        fs.writeFileSync(path.join(taskRoot, entry.name), entry.contents, { mode: entry.unixMode & 0o777 });
      }
      // A function's own PATH, without node: the bootstrap must not need it.
      const emptyPath = fs.mkdtempSync(path.join(scratch, "path-without-node-"));
      // Run it as Lambda's wrapper mechanism does: executed directly, with the interpreter's path first.
      const output = execFileSync(
        path.join(taskRoot, "bootstrap"),
        [process.execPath, ...MANAGED_ARGUMENTS],
        { encoding: "utf8", env: { LAMBDA_TASK_ROOT: taskRoot, PATH: emptyPath } },
      );
      const report = JSON.parse(output) as FixtureReport;
      expect(report.result).to.deep.equal({
        echoed: "event-from-fixture-runtime",
        runtimeMarker: FIXTURE_MARKER,
      });
    });

    it("has a bootstrap that falls back to node from PATH when its first argument is not an executable", async function () {
      if (process.platform === "win32") this.skip();
      const result = await bundleWithFixtureRuntime("bootstrap-fallback");
      const taskRoot = path.join(scratch, "bootstrap-fallback-task-root");
      fs.mkdirSync(taskRoot);
      for (const entry of readZip(fs.readFileSync(result.zipPath))) {
        fs.writeFileSync(path.join(taskRoot, entry.name), entry.contents, { mode: entry.unixMode & 0o777 });
      }
      // Outside Lambda (no /var/lang/bin/node), e.g. started by hand with the managed runtime's entry only.
      const output = execFileSync(path.join(taskRoot, "bootstrap"), ["/var/runtime/index.mjs"], {
        encoding: "utf8",
        env: { LAMBDA_TASK_ROOT: taskRoot, PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` },
      });
      expect((JSON.parse(output) as FixtureReport).marker).to.equal(FIXTURE_MARKER);
    });
  });

  describe("the bootstrap's node flags", function () {
    /** Runs the real bootstrap with a stand-in `node` that prints the arguments it was started with. */
    function bootstrapArguments(options: {
      memory?: string;
      args?: string[];
      PATH?: string;
      sourceMap?: boolean;
    }): string {
      const dir = fs.mkdtempSync(path.join(scratch, "bootstrap-args-"));
      const bootstrap = path.join(dir, "bootstrap");
      fs.writeFileSync(bootstrap, BOOTSTRAP_SCRIPT, { mode: 0o755 });
      fs.writeFileSync(path.join(dir, "node"), '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
      const taskRoot = fs.mkdtempSync(path.join(scratch, "bootstrap-task-root-"));
      if (options.sourceMap) fs.writeFileSync(path.join(taskRoot, "index.mjs.map"), "{}");
      const args = (options.args ?? ["/var/runtime/index.mjs"]).map((arg) => arg.replace("$DIR", dir));
      const output = execFileSync(bootstrap, args, {
        encoding: "utf8",
        env: {
          PATH: options.PATH ?? `${dir}:/usr/bin:/bin`,
          LAMBDA_TASK_ROOT: taskRoot,
          ...(options.memory ? { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: options.memory } : {}),
        },
      });
      return output.trim().replace(taskRoot, "/var/task");
    }

    it("sizes V8's heap from AWS_LAMBDA_FUNCTION_MEMORY_SIZE, as the managed runtime does", function () {
      if (process.platform === "win32") this.skip();
      expect(bootstrapArguments({ memory: "1024" })).to.equal(
        "--max-semi-space-size=51 --max-old-space-size=922 /var/task/index.mjs",
      );
      expect(bootstrapArguments({})).to.equal(
        "--max-semi-space-size=6 --max-old-space-size=116 /var/task/index.mjs",
      );
      // The same through the interpreter Lambda passes first, with the managed start-up's flags dropped.
      expect(
        bootstrapArguments({
          memory: "1024",
          args: ["$DIR/node", ...MANAGED_ARGUMENTS],
          PATH: "/nonexistent",
        }),
      ).to.equal("--max-semi-space-size=51 --max-old-space-size=922 /var/task/index.mjs");
    });

    it("enables source maps only when the archive holds the bundle's map", function () {
      if (process.platform === "win32") this.skip();
      expect(bootstrapArguments({ memory: "1024", sourceMap: true })).to.equal(
        "--enable-source-maps --max-semi-space-size=51 --max-old-space-size=922 /var/task/index.mjs",
      );
      expect(bootstrapArguments({ memory: "1024", sourceMap: false })).to.not.include("--enable-source-maps");
    });
  });

  describe("the bundle", function () {
    it("runs the handler through the runtime, which imports it lazily", async function () {
      const result = await bundleWithFixtureRuntime("runs", { minify: false });
      const source = fs.readFileSync(result.entryPath, "utf8");
      // esbuild inlines the dynamic import: one file, no chunks.
      expect(
        fs.readdirSync(path.dirname(result.entryPath)).filter((file) => file.endsWith(".mjs")),
      ).to.deep.equal(["index.mjs"]);
      expect(source).to.not.match(/\bimport\(/);
      expect(runBundle(result.entryPath)).to.deep.equal({
        marker: FIXTURE_MARKER,
        result: { echoed: "event-from-fixture-runtime", runtimeMarker: FIXTURE_MARKER },
      });
    });

    it("runs the export named by handlerExport", async function () {
      const result = await bundleWithFixtureRuntime("default-export", { handlerExport: "default" });
      expect(runBundle(result.entryPath).result).to.deep.equal({
        echoed: "event-from-fixture-runtime",
        runtimeMarker: FIXTURE_MARKER,
      });
    });

    it("lets the runtime report a handler that throws while loading", async function () {
      const result = await bundleWithFixtureRuntime("throws-at-load", { handler: THROWS_AT_LOAD_HANDLER });
      expect(runBundle(result.entryPath).initError).to.equal("Error: fixture handler failed to load");
    });

    it("resolves streaming-rest-api/runtime to the runtime entry, so the bundle holds one runtime copy", async function () {
      const dir = writeTree("consumer-import", {
        "handler.ts":
          'import { FIXTURE_RUNTIME_MARKER } from "streaming-rest-api/runtime";\n' +
          "export const handler = async (event: string) => ({ echoed: event, runtimeMarker: FIXTURE_RUNTIME_MARKER });\n",
      });
      const result = await bundleWithFixtureRuntime("consumer-import-out", {
        handler: path.join(dir, "handler.ts"),
        minify: false,
      });
      const source = fs.readFileSync(result.entryPath, "utf8");
      expect(source.split(FIXTURE_MARKER).length - 1, "occurrences of the runtime's marker").to.equal(1);
      expect(runBundle(result.entryPath).result).to.deep.equal({
        echoed: "event-from-fixture-runtime",
        runtimeMarker: FIXTURE_MARKER,
      });
    });

    it("lets bundled CommonJS dependencies require Node built-ins (createRequire banner)", async function () {
      const dir = writeTree("cjs-dependency", {
        "node_modules/cjs-dependency/package.json": '{ "name": "cjs-dependency", "main": "index.js" }',
        "node_modules/cjs-dependency/index.js":
          'exports.platformName = () => "platform:" + require("node:os").platform();\n',
        "handler.ts":
          'import { platformName } from "cjs-dependency";\nexport const handler = async () => platformName();\n',
      });
      const result = await bundleWithFixtureRuntime("cjs-dependency-out", {
        handler: path.join(dir, "handler.ts"),
      });
      expect(runBundle(result.entryPath).result).to.equal(`platform:${os.platform()}`);
    });

    it("leaves every file of local/ out unless localServer is set (esbuild's metafile inputs)", async function () {
      const deployed = await bundleWithFixtureRuntime("without-local-server");
      const local = await bundleWithFixtureRuntime("with-local-server", { localServer: true });
      expect(deployed.inputs).to.include.members([FIXTURE_RUNTIME, ECHO_HANDLER]);
      expect(localServerInputs(deployed.inputs)).to.deep.equal([]);
      expect(runBundle(deployed.entryPath).localServer).to.equal(undefined);
      expect(localServerInputs(local.inputs)).to.include(path.join(LOCAL_DIR, "index.ts"));
      expect(runBundle(local.entryPath).localServer).to.equal("local-server-passed");
    });

    it("lists the bundled source files as absolute paths, without the generated entry", async function () {
      const result = await bundleWithFixtureRuntime("inputs");
      expect(result.inputs).to.deep.equal([...result.inputs].sort());
      for (const input of result.inputs) {
        expect(path.isAbsolute(input), input).to.equal(true);
        expect(fs.existsSync(input), input).to.equal(true);
      }
      expect(result.inputs).to.include(path.join(FIXTURES, "runtime", "handlerModule.ts"));
    });

    it("passes define and external to esbuild", async function () {
      const dir = writeTree("define-external", {
        "handler.ts":
          'import { notInstalled } from "not-installed-module";\n' +
          "export const handler = async () => [process.env.FIXTURE_STAGE, typeof notInstalled];\n",
      });
      const handler = path.join(dir, "handler.ts");
      const result = await bundleWithFixtureRuntime("define-external-out", {
        handler,
        define: { "process.env.FIXTURE_STAGE": '"defined-at-bundle-time"' },
        external: ["not-installed-module"],
      });
      const source = fs.readFileSync(result.entryPath, "utf8");
      expect(source).to.include('"defined-at-bundle-time"');
      expect(source).to.match(/from\s*"not-installed-module"/);

      const error = await expectBundleError({
        handler,
        outDir: path.join(scratch, "no-external"),
        runtimeEntry: FIXTURE_RUNTIME,
      });
      expect(error.option).to.equal("handler");
      expect(error.message).to.include('Could not resolve "not-installed-module"');
    });

    it("writes a source map without sources content next to the bundle, or none with sourcemap: false", async function () {
      const mapped = await bundleWithFixtureRuntime("mapped");
      const map = JSON.parse(fs.readFileSync(`${mapped.entryPath}.map`, "utf8")) as {
        sources: string[];
        sourcesContent?: unknown;
        mappings: string;
      };
      expect(fs.readFileSync(mapped.entryPath, "utf8").trimEnd()).to.match(
        /\/\/# sourceMappingURL=index\.mjs\.map$/,
      );
      expect(map.sources.map((source) => path.resolve(path.dirname(mapped.entryPath), source))).to.include(
        ECHO_HANDLER,
      );
      expect(map.sourcesContent).to.equal(undefined);
      expect(map.mappings.length).to.be.greaterThan(0);

      const unmapped = await bundleWithFixtureRuntime("mapped", { sourcemap: false });
      expect(readZip(fs.readFileSync(unmapped.zipPath)).map((entry) => entry.name)).to.deep.equal([
        "bootstrap",
        "index.mjs",
      ]);
      expect(fs.existsSync(`${unmapped.entryPath}.map`), "stale map removed").to.equal(false);
    });
  });

  describe("handler checks", function () {
    it("fails on a missing handler export with esbuild's message, naming handlerExport", async function () {
      const outDir = path.join(scratch, "missing-export");
      const error = await expectBundleError({
        handler: ECHO_HANDLER,
        handlerExport: "handlr",
        outDir,
        runtimeEntry: FIXTURE_RUNTIME,
      });
      expect(error.option).to.equal("handlerExport");
      expect(error.message).to.match(/^handlerExport: /);
      expect(error.message).to.include('No matching export in "');
      expect(error.message).to.include('for import "handlr"');
      expect(fs.existsSync(outDir), "nothing written").to.equal(false);
    });

    it("fails on an export name that is not an identifier, naming handlerExport", async function () {
      const error = await expectBundleError({
        handler: ECHO_HANDLER,
        handlerExport: "handler; process.exit()",
        outDir: path.join(scratch, "bad-export-name"),
      });
      expect(error.option).to.equal("handlerExport");
    });

    it("fails on a missing handler file, naming handler and where it looked", async function () {
      const error = await expectBundleError({
        handler: "no/such/handler.ts",
        cwd: scratch,
        outDir: path.join(scratch, "missing-file"),
      });
      expect(error.option).to.equal("handler");
      expect(error.message).to.include(path.join(scratch, "no/such/handler.ts"));
    });

    it("fails on a handler that does not compile, with esbuild's location", async function () {
      const dir = writeTree("syntax-error", { "handler.ts": "export const handler = async () => {\n" });
      const error = await expectBundleError({
        handler: path.join(dir, "handler.ts"),
        outDir: path.join(scratch, "syntax-error-out"),
        runtimeEntry: FIXTURE_RUNTIME,
      });
      expect(error.option).to.equal("handler");
      expect(error.message).to.match(/handler\.ts:\d+:\d+: /);
    });

    it("finds a directory's index module and a path given without extension", async function () {
      const dir = writeTree("directory-handler", {
        "fn/index.ts": "export const handler = async () => 'from index';\n",
        "other.ts": "export const handler = async () => 'from other';\n",
      });
      const fromDirectory = await bundleWithFixtureRuntime("directory-out", { handler: "fn", cwd: dir });
      expect(runBundle(fromDirectory.entryPath).result).to.equal("from index");
      const withoutExtension = await bundleWithFixtureRuntime("extensionless-out", {
        handler: "other",
        cwd: dir,
      });
      expect(runBundle(withoutExtension.entryPath).result).to.equal("from other");
    });
  });

  describe("with the project's runtime", function () {
    /** Unzips the package into a task root, keeping modes, as Lambda does. */
    function unzipTaskRoot(zipPath: string, label: string): string {
      const taskRoot = path.join(scratch, label);
      fs.mkdirSync(taskRoot);
      for (const entry of readZip(fs.readFileSync(zipPath))) {
        fs.writeFileSync(path.join(taskRoot, entry.name), entry.contents, { mode: entry.unixMode & 0o777 });
      }
      return taskRoot;
    }

    /** Starts `bootstrap` as Lambda would, against `api`; returns a function that stops it. */
    function startBootstrap(taskRoot: string, api: FakeRuntimeApi): () => void {
      const child = spawn(path.join(taskRoot, "bootstrap"), [process.execPath, ...MANAGED_ARGUMENTS], {
        env: {
          // A function's PATH without node: the bootstrap runs the interpreter Lambda passes it.
          PATH: path.join(taskRoot, "no-such-directory"),
          LAMBDA_TASK_ROOT: taskRoot,
          AWS_LAMBDA_RUNTIME_API: api.address,
          AWS_LAMBDA_FUNCTION_NAME: "bundle-test",
          AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
        },
        stdio: "ignore",
      });
      return () => void child.kill("SIGKILL");
    }

    it("keeps the example (runtime + handler) small, with no file of local/ in it", async function () {
      const result = await buildBundle({
        handler: path.join(REPO_ROOT, "handler", "index.ts"),
        outDir: path.join(scratch, "example"),
      });
      expect(result.bundleBytes).to.be.below(EXAMPLE_BUNDLE_BUDGET_BYTES);
      expect(result.inputs).to.include.members([
        path.join(REPO_ROOT, "runtime", "handlerModule.ts"),
        path.join(REPO_ROOT, "runtime", "lambdaRuntime.ts"),
        path.join(REPO_ROOT, "handler", "index.ts"),
      ]);
      expect(localServerInputs(result.inputs)).to.deep.equal([]);
    });

    it("bundled plainly with esbuild (runtime/index.ts and a handler), holds no file of local/ and never loads node:http", async function () {
      if (process.platform === "win32") this.skip();
      const dir = writeTree("plain-esbuild", {
        "handler.ts":
          `import type { StreamingLambdaHandler } from ${JSON.stringify(path.join(REPO_ROOT, "runtime"))};\n` +
          "export const handler: StreamingLambdaHandler = async (_event, writer) => {\n" +
          '  await writer.writeAndFinish("plain");\n' +
          "};\n",
        // What a user writes without our buildBundle.
        "entry.ts":
          `import { LambdaRuntime } from ${JSON.stringify(path.join(REPO_ROOT, "runtime"))};\n` +
          'import { handler } from "./handler";\n' +
          "await new LambdaRuntime(handler).run();\n",
        // Records, when the process exits, which of Node's HTTP modules it loaded.
        "preload.mjs":
          'import { writeFileSync } from "node:fs";\n' +
          'process.on("exit", () => {\n' +
          "  const http = process.moduleLoadList.filter(\n" +
          '    (name) => name === "NativeModule http" || name.startsWith("NativeModule _http_"),\n' +
          "  );\n" +
          "  writeFileSync(process.env.MODULE_REPORT, JSON.stringify({ http }));\n" +
          "});\n",
        "loads-http.mjs": 'await import("node:http");\n',
      });
      const outfile = path.join(dir, "out", "index.mjs");
      const result = await build({
        entryPoints: [path.join(dir, "entry.ts")],
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node24",
        outfile,
        metafile: true,
        logLevel: "silent",
      });
      const inputs = Object.keys(result.metafile.inputs).map((input) => path.resolve(input));
      expect(inputs).to.include(path.join(REPO_ROOT, "runtime", "lambdaRuntime.ts"));
      expect(localServerInputs(inputs)).to.deep.equal([]);

      const preload = path.join(dir, "preload.mjs");
      const loadedHttp = (script: string, env: Record<string, string> = {}) => {
        const report = path.join(dir, `report-${path.basename(script)}.json`);
        const run = spawnSync(process.execPath, ["--import", preload, script], {
          encoding: "utf8",
          timeout: 30_000,
          env: { PATH: process.env.PATH ?? "", MODULE_REPORT: report, ...env },
        });
        return {
          status: run.status,
          stderr: run.stderr,
          ...(JSON.parse(fs.readFileSync(report, "utf8")) as { http: string[] }),
        };
      };
      // The preload sees node:http when it is loaded...
      expect(loadedHttp(path.join(dir, "loads-http.mjs")).http).to.include("NativeModule http");
      // ...and the bundle, against a Runtime API nobody answers, retries, exits 1, and never loaded it.
      const runtime = loadedHttp(outfile, { AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${await closedPort()}` });
      expect(runtime.status, runtime.stderr).to.equal(1);
      expect(runtime.http).to.deep.equal([]);
    });

    it("streams an invocation through bootstrap and the Runtime API", async function () {
      if (process.platform === "win32") this.skip();
      const dir = writeTree("real-runtime-handler", {
        "handler.ts":
          'import { buffered, type StreamingLambdaHandler } from "streaming-rest-api/runtime";\n' +
          "export const handler: StreamingLambdaHandler = async (event, writer) => {\n" +
          '  await writer.writeStatusAndHeaders({ statusCode: 201, headers: { "content-type": "text/plain" } });\n' +
          '  await writer.write("chunk-1\\n");\n' +
          '  await writer.writeAndFinish(`buffered is ${typeof buffered}; event ${event.toString("utf8")}`);\n' +
          "};\n",
      });
      const result = await buildBundle({
        handler: path.join(dir, "handler.ts"),
        outDir: path.join(scratch, "real-out"),
      });
      const api = await new FakeRuntimeApi().start();
      const stop = startBootstrap(unzipTaskRoot(result.zipPath, "real-task-root"), api);
      try {
        api.enqueue({ requestId: "request-1", event: '{"hello":"world"}' });
        await api.waitForReplies(1);
      } finally {
        stop();
        await api.close();
      }
      const [reply] = api.replies;
      expect(reply?.path).to.equal("/2018-06-01/runtime/invocation/request-1/response");
      expect(reply?.headers["lambda-runtime-function-response-mode"]).to.equal("streaming");
      expect(reply?.headers["content-type"]).to.equal("application/vnd.awslambda.http-integration-response");
      const body = reply?.body ?? Buffer.alloc(0);
      const delimiter = body.indexOf(Buffer.alloc(8));
      expect(delimiter, "prelude delimiter").to.be.greaterThan(0);
      expect(JSON.parse(body.subarray(0, delimiter).toString("utf8"))).to.include({ statusCode: 201 });
      expect(body.subarray(delimiter + 8).toString("utf8")).to.equal(
        'chunk-1\nbuffered is function; event {"hello":"world"}',
      );
    });

    it("reports a handler that throws while loading to /init/error", async function () {
      if (process.platform === "win32") this.skip();
      const result = await buildBundle({
        handler: THROWS_AT_LOAD_HANDLER,
        outDir: path.join(scratch, "init-error-out"),
      });
      const api = await new FakeRuntimeApi().start();
      const stop = startBootstrap(unzipTaskRoot(result.zipPath, "init-error-task-root"), api);
      try {
        await api.waitForReplies(1);
      } finally {
        stop();
        await api.close();
      }
      const [reply] = api.replies;
      expect(reply?.path).to.equal("/2018-06-01/runtime/init/error");
      expect(JSON.parse(reply?.body.toString("utf8") ?? "{}")).to.include({
        errorMessage: "fixture handler failed to load",
      });
    });
  });

  describe("locating the runtime", function () {
    it("finds runtime/index.ts from the repository's components/", function () {
      expect(locateRuntimeEntry(path.join(REPO_ROOT, "components"))).to.equal(
        path.join(REPO_ROOT, "runtime", "index.ts"),
      );
      expect(fs.existsSync(locateRuntimeEntry())).to.equal(true);
    });

    it("finds the package root from the published layout's dist/components/", function () {
      const root = writeTree("published-layout", {
        "package.json": '{ "name": "streaming-rest-api" }',
        "dist/components/bundle.js": "",
        "dist/package.json": '{ "name": "not-this-one" }',
      });
      expect(findPackageRoot(path.join(root, "dist", "components"))).to.equal(root);
      expect(locateRuntimeEntry(path.join(root, "dist", "components"))).to.equal(
        path.join(root, "runtime", "index.ts"),
      );
    });
  });
});
