// Runs the example stack the way `pulumi up` does (Pulumi's Node program runner, ts-node) under mocks.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const PULUMI_SDK = path.dirname(require.resolve("@pulumi/pulumi/package.json"));

/**
 * The child process: installs recording mocks, sets the arguments and environment Pulumi's Node language
 * host passes (`PULUMI_NODEJS_TYPESCRIPT`, `PULUMI_CONFIG`, `--monitor --project --stack PROGRAM`), then
 * requires the runner by path: its top-level `main()` reads them and runs the program. Plain JavaScript, so
 * the runner's own ts-node registration is the only one (as under the CLI).
 */
const CHILD_SCRIPT = String.raw`
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const [sdk, projectDir, program, reportPath, extraConfig] = process.argv.slice(2);
const pulumi = require(sdk);
const yaml = require(require.resolve("js-yaml", { paths: [sdk] }));

const project = yaml.load(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"));
const stackFile = yaml.load(fs.readFileSync(path.join(projectDir, "Pulumi.dev.yaml"), "utf8"));
// What the CLI sends: project defaults from Pulumi.yaml's typed config, overridden by the stack's values.
const config = {};
for (const [key, spec] of Object.entries(project.config || {})) {
  if (spec && spec.default !== undefined) config[project.name + ":" + key] = String(spec.default);
}
// Structured values (objects, lists) reach the program as JSON, as the CLI sends them.
for (const [key, value] of Object.entries({ ...stackFile.config, ...JSON.parse(extraConfig || "{}") })) {
  config[key] = typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}
process.env.PULUMI_CONFIG = JSON.stringify(config);
process.env.PULUMI_NODEJS_TYPESCRIPT = "true";

const registered = [];
const calls = [];
let counter = 0;
pulumi.runtime.setMocks(
  {
    newResource(args) {
      const id = args.name + "-id-" + counter++;
      const inputs = args.inputs || {};
      const name = inputs.name || inputs.namePrefix || args.name + "-physical";
      const state = { ...inputs, name, arn: "arn:aws:mock:us-east-1:123456789012:" + name };
      if (args.type === "aws:lambda/function:Function") {
        state.responseStreamingInvokeArn =
          "arn:aws:apigateway:us-east-1:lambda:path/2021-11-15/functions/" + state.arn + "/response-streaming-invocations";
      }
      if (args.type === "aws:apigateway/restApi:RestApi") state.rootResourceId = "root-id";
      if (args.type === "aws:apigateway/stage:Stage") {
        state.invokeUrl = "https://" + inputs.restApi + ".execute-api.us-east-1.amazonaws.com/" + inputs.stageName;
      }
      registered.push({ type: args.type, name: args.name });
      return { id, state };
    },
    call(args) {
      calls.push(args.token);
      throw new Error("unexpected call " + args.token);
    },
  },
  "streaming-rest-api",
  "dev",
  false,
);

process.on("exit", (code) => {
  const monitor = pulumi.runtime.getMonitor();
  const outputs = {};
  for (const [urn, resource] of monitor.getRegisteredResources()) {
    if (!urn.endsWith("::pulumi:pulumi:Stack::streaming-rest-api-dev")) continue;
    // registerResourceOutputs stores the protobuf Struct as received.
    const state = typeof resource.state.toJavaScript === "function" ? resource.state.toJavaScript() : resource.state;
    Object.assign(outputs, state);
  }
  fs.writeFileSync(reportPath, JSON.stringify({ code, registered, calls, outputs }));
});

process.argv = [process.argv[0], "pulumi-run", "--monitor=mock", "--project=streaming-rest-api", "--stack=dev", program];
require(path.join(sdk, "cmd", "run", "index.js"));
`;

interface ProgramReport {
  code: number;
  registered: Array<{ type: string; name: string }>;
  calls: string[];
  outputs: Record<string, unknown>;
}

/** The `main:` of Pulumi.yaml: what the language host passes the runner as PROGRAM (`.` when unset). */
function pulumiYamlMain(): string {
  const match = /^main:\s*(\S+)\s*$/m.exec(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8"));
  return match?.[1] ?? ".";
}

/**
 * Runs the example stack in a child process with the stack's config (Pulumi.dev.yaml) and `extraConfig`
 * over it, type-checking it as `pulumi up` does unless `transpileOnly`.
 */
function runProgram(
  extraConfig: Record<string, unknown>,
  transpileOnly: boolean,
): { report: ProgramReport; stderr: string } {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "streaming-rest-api-program-"));
  try {
    const script = path.join(scratch, "run-program.js");
    const reportPath = path.join(scratch, "report.json");
    fs.writeFileSync(script, CHILD_SCRIPT);
    const { PULUMI_NODEJS_TRANSPILE_ONLY: _ignored, ...env } = process.env;
    const child = spawnSync(
      process.execPath,
      [script, PULUMI_SDK, REPO_ROOT, pulumiYamlMain(), reportPath, JSON.stringify(extraConfig)],
      {
        cwd: REPO_ROOT,
        env: transpileOnly ? { ...env, PULUMI_NODEJS_TRANSPILE_ONLY: "true" } : env,
        encoding: "utf8",
      },
    );
    const stderr = `${child.stderr}\n${child.stdout}`;
    if (!fs.existsSync(reportPath)) throw new Error(`the program runner did not finish:\n${stderr}`);
    return { report: JSON.parse(fs.readFileSync(reportPath, "utf8")) as ProgramReport, stderr };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

describe("the example stack under Pulumi's program runner", function () {
  // ts-node type-checks the program, as `pulumi up` does: allow for it.
  this.timeout(120_000);
  let report: ProgramReport;
  let stderr: string;

  before(function () {
    ({ report, stderr } = runProgram({}, false));
  });

  it("is pointed at index.ts by Pulumi.yaml's main (package.json's exports describe the library)", function () {
    expect(pulumiYamlMain()).to.equal("index.ts");
  });

  it("loads index.ts as CommonJS through ts-node and exits cleanly", function () {
    expect(report.code, stderr).to.equal(0);
    expect(stderr).to.not.match(/TSError|SyntaxError|ERR_REQUIRE_ESM|Cannot use import statement/);
  });

  it("registers the component and all of its children, with no provider calls", function () {
    expect(report.calls).to.deep.equal([]);
    const names = report.registered.map((resource) => `${resource.type} ${resource.name}`);
    expect(names).to.include("streaming-rest-api:index:StreamingRestApi streaming-numbers");
    expect(names).to.include.members([
      "aws:lambda/function:Function streaming-numbers-fn",
      "aws:apigateway/integration:Integration streaming-numbers-integration",
      "aws:apigateway/stage:Stage streaming-numbers-stage",
      "aws:iam/role:Role streaming-numbers-invoke-role",
    ]);
  });

  it("takes cors from the stack's structured config (Pulumi.dev.yaml)", function () {
    const names = report.registered.map((resource) => `${resource.type} ${resource.name}`);
    expect(names).to.include.members([
      "aws:apigateway/method:Method streaming-numbers-cors-method",
      "aws:apigateway/response:Response streaming-numbers-cors-4xx",
    ]);
  });

  it("exports the seed's outputs (apiUrl, lambdaArn) and the rest", function () {
    expect(Object.keys(report.outputs)).to.include.members([
      "apiUrl",
      "lambdaArn",
      "functionName",
      "restApiId",
      "stageName",
      "invokeRoleArn",
      "bundleBytes",
    ]);
    expect(report.outputs["apiUrl"]).to.match(
      /^https:\/\/.+\.execute-api\.us-east-1\.amazonaws\.com\/prod\/stream$/,
    );
    expect(report.outputs["bundleBytes"]).to.be.a("number").greaterThan(0);
  });
});

describe("the example stack's authorization and domain config", function () {
  this.timeout(120_000);
  let report: ProgramReport;
  let stderr: string;

  before(function () {
    ({ report, stderr } = runProgram(
      {
        "streaming-rest-api:authorization": "CUSTOM",
        "streaming-rest-api:authorizer": {
          functionArn: "arn:aws:lambda:us-east-1:123456789012:function:my-authorizer",
          type: "TOKEN",
        },
        "streaming-rest-api:domain": {
          name: "stream.example.com",
          certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d",
          basePath: "v1",
        },
      },
      true,
    ));
  });

  it("creates the Lambda authorizer and the custom domain, and serves apiUrl on the domain", function () {
    expect(report.code, stderr).to.equal(0);
    const names = report.registered.map((resource) => `${resource.type} ${resource.name}`);
    expect(names).to.include.members([
      "aws:apigateway/authorizer:Authorizer streaming-numbers-authorizer",
      "aws:lambda/permission:Permission streaming-numbers-authorizer-permission",
      "aws:apigateway/domainName:DomainName streaming-numbers-domain",
      "aws:apigateway/basePathMapping:BasePathMapping streaming-numbers-base-path",
    ]);
    expect(report.outputs["apiUrl"]).to.equal("https://stream.example.com/v1/stream");
  });
});
