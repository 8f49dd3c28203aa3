// Without AWS_LAMBDA_RUNTIME_API the runtime starts a local server: one passed in, or the package's, imported then.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { build } from "esbuild";
import { startLocalServer } from "../../local";
import { LambdaRuntime, RuntimeApiError, type StreamingLambdaHandler } from "../../runtime";
import { importLocalServer, LOCAL_SERVER_MODULE } from "../../runtime/localServerLoader";
import { FakeRuntimeApi } from "../helpers/fakeRuntimeApi";

const RUNTIME_INDEX = path.resolve(__dirname, "../../runtime/index.ts");

const echo: StreamingLambdaHandler = async (event, writer) => {
  await writer.writeStatusAndHeaders({ statusCode: 200, headers: { "Content-Type": "text/plain" } });
  await writer.writeAndFinish(`got ${event.length} B`);
};

describe("the local server, when there is no Runtime API address", function () {
  this.timeout(30_000);

  it("is started through the startLocalServer option, and serves curl-able requests", async () => {
    type Server = Awaited<ReturnType<typeof startLocalServer>>;
    let serverStarted: (server: Server) => void = () => undefined;
    const started = new Promise<Server>((resolve) => (serverStarted = resolve));
    const runtime = new LambdaRuntime(echo, {
      env: {},
      log: { warn: () => undefined, error: () => undefined },
      startLocalServer: async () => {
        const server = await startLocalServer({ port: 0, log: () => undefined });
        serverStarted(server);
        return server;
      },
    });
    const running = runtime.run();
    try {
      const server = await started;
      const response = await fetch(`${server.url}/stream`);
      expect(response.status).to.equal(200);
      expect(await response.text()).to.match(/^got \d+ B$/);
    } finally {
      runtime.stop();
      await running;
    }
  });

  it("explains what to do when streaming-rest-api/local cannot be loaded", async () => {
    let error: unknown;
    await importLocalServer("streaming-rest-api-local-that-does-not-exist").catch(
      (e: unknown) => (error = e),
    );
    expect(error).to.be.instanceOf(RuntimeApiError);
    expect((error as Error).message).to.match(
      /^AWS_LAMBDA_RUNTIME_API is not set, so the runtime looked for/,
    );
    expect((error as Error).message).to.include("On Lambda the variable is always set");
  });

  it("reports a failed load as a fatal error, naming it, instead of an unhandled rejection", async () => {
    const fatal: Error[] = [];
    const runtime = new LambdaRuntime(echo, {
      env: {},
      onFatalError: (e) => fatal.push(e),
      startLocalServer: () => Promise.reject(new Error("port 7000 is taken")),
    });
    await runtime.run();
    expect(fatal.map((e) => e.message)).to.deep.equal(["port 7000 is taken"]);
  });

  describe("in a plain esbuild bundle, run where the package is installed", () => {
    let dir: string;
    let api: FakeRuntimeApi;

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), "runtime-local-loader-"));
      api = await new FakeRuntimeApi().start();
      // A stand-in for the installed package's `./local` export: it hands the runtime the fake's address.
      const pkg = path.join(dir, "node_modules", "streaming-rest-api");
      mkdirSync(pkg, { recursive: true });
      writeFileSync(
        path.join(pkg, "package.json"),
        JSON.stringify({ name: "streaming-rest-api", exports: { "./local": "./local.mjs" } }),
      );
      writeFileSync(
        path.join(pkg, "local.mjs"),
        "export async function startLocalServer() {\n" +
          "  return { runtimeApi: process.env.TEST_FAKE_RUNTIME_API, close: async () => undefined };\n" +
          "}\n",
      );
      writeFileSync(
        path.join(dir, "handler.ts"),
        "export const handler = async (event: Buffer, writer: any) => {\n" +
          '  await writer.writeStatusAndHeaders({ statusCode: 200, headers: { "content-type": "text/plain" } });\n' +
          '  await writer.writeAndFinish("served by the plain bundle");\n' +
          "};\n",
      );
      await build({
        stdin: {
          contents:
            'import { LambdaRuntime } from "streaming-rest-api/runtime";\n' +
            'import { handler } from "./handler";\n' +
            "await new LambdaRuntime(handler).run();\n",
          resolveDir: dir,
          loader: "ts",
        },
        alias: { "streaming-rest-api/runtime": RUNTIME_INDEX },
        bundle: true,
        format: "esm",
        platform: "node",
        target: "node24",
        outfile: path.join(dir, "index.mjs"),
        logLevel: "silent",
      });
    });

    after(async () => {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it(`imports ${LOCAL_SERVER_MODULE} at run time, from the bundle's node_modules`, async () => {
      const child = spawn(process.execPath, [path.join(dir, "index.mjs")], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "", TEST_FAKE_RUNTIME_API: api.address },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
      try {
        api.enqueue({ requestId: "plain-1", event: "{}" });
        await api.waitForReplies(1);
        const [reply] = api.replies;
        expect(reply?.path, stderr).to.equal("/2018-06-01/runtime/invocation/plain-1/response");
        expect(reply?.body.toString("latin1")).to.match(/\0{8}served by the plain bundle$/);
      } finally {
        child.kill("SIGKILL");
      }
    });
  });
});
