// The provider as `pulumi package add` starts it: Pulumi's Node.js plugin host on the built project, over gRPC.
//
// For a plugin whose PulumiPlugin.yaml says `runtime: nodejs`, the Node.js language host runs
// `node @pulumi/pulumi/cmd/run-plugin <plugin directory>` in the program's working directory. run-plugin loads
// package.json's `main`, finds the exported ComponentResource classes and starts componentProviderHost, which
// prints the port of its gRPC ResourceProvider server on stdout. This test does the same, without the CLI.
import { expect } from "chai";
import { spawn, type ChildProcessByStdio } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { credentials, type ServiceError } from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { GetSchemaRequest, type GetSchemaResponse } from "@pulumi/pulumi/proto/provider_pb";
import { committedSchema, packageManifest } from "./componentProvider";
import { REPO_MODULES, stagedProject } from "./stagedProject";

const RUN_PLUGIN = path.join(REPO_MODULES, "@pulumi", "pulumi", "cmd", "run-plugin", "index.js");

type Host = ChildProcessByStdio<null, Readable, Readable>;

/** Resolves with the first line the plugin prints on stdout; rejects, with its stderr, if it exits first. */
function firstLine(host: Host): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    host.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    host.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const end = stdout.indexOf("\n");
      if (end >= 0) resolve(stdout.slice(0, end));
    });
    host.once("exit", (code, signal) =>
      reject(
        new Error(`the plugin exited (${code ?? signal}) before printing its port:\n${stdout}${stderr}`),
      ),
    );
  });
}

/** Calls GetSchema on the provider at `port`. */
function getSchema(port: number): Promise<GetSchemaResponse> {
  const client = new ResourceProviderClient(`127.0.0.1:${port}`, credentials.createInsecure());
  return new Promise<GetSchemaResponse>((resolve, reject) => {
    client.getSchema(new GetSchemaRequest(), (error: ServiceError | null, response: GetSchemaResponse) =>
      error === null ? resolve(response) : reject(error),
    );
  }).finally(() => client.close());
}

describe("the plugin host `pulumi package add` starts", function () {
  // Building the copy (tsc) and inferring the schema in the plugin take tens of seconds on a busy machine.
  this.timeout(300_000);
  let programDirectory: string | undefined;
  let host: Host | undefined;
  let portLine: string;

  before(async function () {
    const pluginDirectory = stagedProject();
    // The engine runs plugins in the Pulumi program's directory: here, one without any Node.js project.
    programDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "streaming-rest-api-program-"));
    host = spawn(process.execPath, [RUN_PLUGIN, pluginDirectory], {
      cwd: programDirectory,
      env: { ...process.env, PULUMI_NODEJS_TYPESCRIPT: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    portLine = await firstLine(host);
  });

  after(async function () {
    if (host !== undefined && host.exitCode === null && host.signalCode === null) {
      const exited = new Promise((resolve) => host?.once("exit", resolve));
      host.kill("SIGTERM");
      await exited;
    }
    // Undefined when the staged build failed: the failure is the before hook's, not this one's.
    if (programDirectory !== undefined) fs.rmSync(programDirectory, { recursive: true, force: true });
  });

  it("prints the port of its gRPC server, alone on the first line", function () {
    expect(portLine).to.match(/^\d+$/);
    expect(Number(portLine)).to.be.within(1, 65_535);
  });

  it("answers GetSchema with the component's schema (the committed one)", async function () {
    const response = await getSchema(Number(portLine));
    const schema = JSON.parse(response.getSchema()) as ReturnType<typeof committedSchema>;
    expect(schema.name).to.equal(packageManifest().name);
    expect(Object.keys(schema.resources)).to.deep.equal(["streaming-rest-api:index:StreamingRestApi"]);
    expect(schema).to.deep.equal(committedSchema());
  });
});
