// Packs the project (npm pack), installs it in a scratch stack outside the repo, and deploys a consumer's
// handler with the component there, under mocks: proves the exports, the emitted types and the shipped runtime.
import { expect } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_MODULES, stagedProject } from "./stagedProject";
import { readZip } from "./zipReader";

/** Runs npm the way the current npm does (under `npm test`), or from PATH. */
function npm(args: string[], cwd: string): string {
  const npmCli = process.env.npm_execpath;
  return npmCli !== undefined && npmCli.endsWith(".js")
    ? execFileSync(process.execPath, [npmCli, ...args], { cwd, encoding: "utf8" })
    : execFileSync("npm", args, { cwd, encoding: "utf8" });
}

/**
 * `npm pack` of the built copy of the project (the repository's dist/ is left alone): npm applies the
 * project's package.json `files` as it would in the repository. Returns the tarball's path.
 */
function packProject(destination: string): string {
  const packed = JSON.parse(
    npm(["pack", "--json", "--pack-destination", destination], stagedProject()),
  ) as Array<{
    filename: string;
  }>;
  return path.join(destination, packed[0]?.filename ?? "");
}

/** The consumer's stack: its own handler, the component from the installed package. */
const CONSUMER_INDEX = `import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { StreamingRestApi, type StreamingRestApiArgs } from "streaming-rest-api";

const args: StreamingRestApiArgs = {
  handler: path.join(__dirname, "src", "greeter.ts"),
  handlerExport: "greet",
  path: "greetings/{name}",
  method: "GET",
  authorization: "NONE",
  memorySize: 256,
};
export const api = new StreamingRestApi("consumer-greeter", args);
export const url: pulumi.Output<string> = api.url;
`;

/** The consumer's handler, written against the published runtime entry. */
const CONSUMER_HANDLER = `import { buffered, type StreamingLambdaHandler } from "streaming-rest-api/runtime";

export const greet: StreamingLambdaHandler = async (_event, writer) => {
  await writer.writeStatusAndHeaders({ statusCode: 200, headers: { "content-type": "text/plain" } });
  await writer.writeAndFinish("consumer-greeting-7c1e " + typeof buffered);
};
`;

/** Loads the consumer's stack under recording mocks (ts-node, like \`pulumi up\`), then reports. */
const CONSUMER_RUNNER = String.raw`
"use strict";
const fs = require("node:fs");
const pulumi = require("@pulumi/pulumi");
const registered = [];
const calls = [];
pulumi.runtime.setMocks(
  {
    newResource(args) {
      const inputs = args.inputs || {};
      const name = inputs.name || inputs.namePrefix || args.name + "-physical";
      const state = { ...inputs, name, arn: "arn:aws:mock:eu-west-1:123456789012:" + name };
      if (args.type === "aws:lambda/function:Function") {
        state.responseStreamingInvokeArn = "arn:aws:apigateway:eu-west-1:lambda:path/2021-11-15/functions/" + state.arn + "/response-streaming-invocations";
      }
      if (args.type === "aws:apigateway/restApi:RestApi") state.rootResourceId = "root";
      if (args.type === "aws:apigateway/stage:Stage") {
        state.invokeUrl = "https://" + inputs.restApi + ".execute-api.eu-west-1.amazonaws.com/" + inputs.stageName;
      }
      registered.push({ type: args.type, name: args.name, inputs: args.type === "aws:lambda/function:Function" ? { memorySize: inputs.memorySize } : {} });
      return { id: args.name + "-id", state };
    },
    call(args) {
      calls.push(args.token);
      throw new Error("unexpected call " + args.token);
    },
  },
  "consumer",
  "dev",
  false,
);
require("ts-node").register({ transpileOnly: true });
const stack = require("./index.ts");
let url;
stack.url.apply((value) => {
  url = value;
});
process.on("exit", () => fs.writeFileSync("report.json", JSON.stringify({ url, registered, calls })));
`;

describe("the packed package in a consumer's stack", function () {
  // Compiling (tsc) and type-checking the consumer dominate: about 15 s on two idle cores.
  this.timeout(180_000);
  let scratch: string;
  let consumer: string;
  let tarball: string;

  before(function () {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "streaming-rest-api-consumer-"));
    tarball = packProject(scratch);

    consumer = path.join(scratch, "consumer");
    const installed = path.join(consumer, "node_modules", "streaming-rest-api");
    fs.mkdirSync(installed, { recursive: true });
    // What npm install does with the tarball itself; its dependencies come from this repo's node_modules.
    execFileSync("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"]);
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    for (const dependency of [
      ...Object.keys(manifest.dependencies),
      "typescript",
      "ts-node",
      "@types/node",
    ]) {
      const link = path.join(consumer, "node_modules", dependency);
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(path.join(REPO_MODULES, dependency), link, "dir");
    }
    const files: Record<string, string> = {
      "package.json": JSON.stringify({
        name: "consumer-stack",
        private: true,
        main: "index.ts",
        dependencies: { "streaming-rest-api": `file:${tarball}` },
      }),
      "tsconfig.json": JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "node16",
          moduleResolution: "node16",
          strict: true,
          skipLibCheck: true,
          noEmit: true,
          types: ["node"],
        },
        include: ["index.ts", "src"],
      }),
      "index.ts": CONSUMER_INDEX,
      "src/greeter.ts": CONSUMER_HANDLER,
      "run.js": CONSUMER_RUNNER,
    };
    for (const [name, contents] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(consumer, name)), { recursive: true });
      fs.writeFileSync(path.join(consumer, name), contents);
    }
  });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it("ships the compiled library, its types and the runtime's sources, nothing else", function () {
    const listed = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n");
    expect(listed).to.include.members([
      "package/package.json",
      "package/dist/components/index.js",
      "package/dist/components/index.d.ts",
      "package/dist/components/bundle/index.js",
      "package/dist/components/bundle/bootstrap.js",
      "package/dist/runtime/index.js",
      "package/dist/runtime/index.d.ts",
      "package/runtime/index.ts",
      "package/runtime/lambdaRuntime.ts",
    ]);
    const unexpected = listed.filter(
      (file) => /^package\/(test|components|handler|scripts|bench)\//.test(file) || file.endsWith(".map"),
    );
    expect(unexpected).to.deep.equal([]);
  });

  it("type-checks a consumer stack and handler against the emitted types", function () {
    const tsc = spawnSync(
      process.execPath,
      [path.join(REPO_MODULES, "typescript", "bin", "tsc"), "-p", consumer],
      {
        encoding: "utf8",
      },
    );
    expect(tsc.stdout + tsc.stderr).to.equal("");
    expect(tsc.status).to.equal(0);
  });

  it("deploys the consumer's handler with one copy of the installed runtime", function () {
    const run = spawnSync(process.execPath, ["run.js"], { cwd: consumer, encoding: "utf8" });
    const reportPath = path.join(consumer, "report.json");
    expect(fs.existsSync(reportPath), `${run.stdout}\n${run.stderr}`).to.equal(true);
    const report = JSON.parse(fs.readFileSync(reportPath, "utf8")) as {
      url: string;
      registered: Array<{ type: string; name: string; inputs: Record<string, unknown> }>;
      calls: string[];
    };
    expect(report.calls).to.deep.equal([]);
    expect(report.url).to.match(/\/prod\/greetings\/\{name\}$/);
    const fn = report.registered.find((resource) => resource.name === "consumer-greeter-fn");
    expect(fn?.inputs).to.deep.equal({ memorySize: 256 });

    const zip = readZip(fs.readFileSync(path.join(consumer, ".build", "consumer-greeter", "function.zip")));
    const bundle = zip.find((entry) => entry.name === "index.mjs")?.contents.toString("utf8") ?? "";
    expect(bundle).to.include("consumer-greeting-7c1e");
    // The Runtime API path prefix is one constant of the runtime: one occurrence, one runtime copy.
    expect(bundle.split("/2018-06-01/runtime").length - 1).to.equal(1);
    const map = JSON.parse(
      zip.find((entry) => entry.name === "index.mjs.map")?.contents.toString("utf8") ?? "{}",
    ) as {
      sources: string[];
    };
    const runtimeSources = map.sources.filter((source) => source.includes("runtime/"));
    expect(runtimeSources.length).to.be.greaterThan(0);
    for (const source of runtimeSources) {
      expect(source, "bundled from the installed package's runtime sources").to.match(
        /^\.\.\/\.\.\/node_modules\/streaming-rest-api\/runtime\/([\w-]+\/)*(\w+\.ts|lambda-entry\.mjs)$/,
      );
    }
  });
});
