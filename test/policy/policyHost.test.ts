// The pack as `pulumi up --policy-pack policy` runs it: Pulumi's policy host starts it, the engine's RPCs query it.
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { once } from "node:events";
import { expect } from "chai";
import { deployComponent, subjectOf } from "./componentResources";
import type { PolicySubject } from "./policyHarness";

/* eslint-disable @typescript-eslint/no-require-imports -- the engine's side is loaded from the pack's own
   dependencies, as the Pulumi CLI would find them. */
const POLICY_DIR = path.resolve(__dirname, "../../policy");
const PULUMI_DIR = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [POLICY_DIR] }));
const fromPulumi = (request: string): string => require.resolve(request, { paths: [PULUMI_DIR] });

/** A generated protobuf message: setters and getters by name (the generated code ships loose types). */
type Message = object;
type MessageClass = new () => Message;
/** A unary gRPC method of the generated client. */
type Rpc = (request: Message, callback: (error: Error | null, response: Message) => void) => void;
type Client = Record<string, Rpc> & { close(): void };

const grpc = require(fromPulumi("@grpc/grpc-js")) as { credentials: { createInsecure(): unknown } };
const { AnalyzerClient } = require(path.join(PULUMI_DIR, "proto/analyzer_grpc_pb.js")) as {
  AnalyzerClient: new (address: string, credentials: unknown) => Client;
};
const proto = require(path.join(PULUMI_DIR, "proto/analyzer_pb.js")) as Record<string, MessageClass> & {
  EnforcementLevel: Record<string, number>;
  PolicyType: Record<string, number>;
};
const { Struct } = require(fromPulumi("google-protobuf/google/protobuf/struct_pb.js")) as {
  Struct: { fromJavaScript(value: unknown): Message };
};
const { Empty } = require(fromPulumi("google-protobuf/google/protobuf/empty_pb.js")) as {
  Empty: MessageClass;
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Calls a generated accessor, e.g. `use(request, "setUrn", urn)` or `use<string>(info, "getName")`. */
function use<T = unknown>(message: Message, method: string, ...args: unknown[]): T {
  const accessor = (message as Record<string, unknown>)[method];
  if (typeof accessor !== "function") throw new Error(`${message.constructor.name} has no ${method}`);
  return (accessor as (...values: unknown[]) => T).apply(message, args);
}

function create(className: string): Message {
  const MessageType = proto[className];
  if (MessageType === undefined) throw new Error(`analyzer_pb has no ${className}`);
  return new MessageType();
}

/** A diagnostic as the engine receives it. */
interface Diagnostic {
  readonly policy: string;
  readonly urn: string;
  readonly mandatory: boolean;
  readonly message: string;
}

/** Starts the pack the way the Pulumi CLI's Node language host does, and returns its analyzer's port. */
async function startPolicyPack(): Promise<{ child: ChildProcess; port: number }> {
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [POLICY_DIR] });
  const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], {
    cwd: POLICY_DIR,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let serving = false;
  const exited = once(child, "exit").then(([code]): number => {
    if (serving) return -1;
    throw new Error(`the policy pack exited with ${String(code)} before serving:\n${stderr}`);
  });
  let stdout = "";
  const served = new Promise<number>((resolve) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /^(\d+)\n/.exec(stdout);
      if (line !== null) resolve(Number(line[1]));
    });
  });
  const port = await Promise.race([served, exited]);
  serving = true;
  return { child, port };
}

function call(client: Client, method: string, request: Message): Promise<Message> {
  const rpc = client[method];
  if (rpc === undefined) throw new Error(`the analyzer client has no ${method}`);
  return new Promise((resolve, reject) => {
    rpc.call(client, request, (error, response) => (error === null ? resolve(response) : reject(error)));
  });
}

function options(subject: PolicySubject): Message {
  const opts = create("AnalyzerResourceOptions");
  if (subject.parentUrn !== undefined) use(opts, "setParent", subject.parentUrn);
  return opts;
}

/** What the engine sends before creating or updating a resource: its inputs. */
function analyzeRequest(subject: PolicySubject): Message {
  const request = create("AnalyzeRequest");
  use(request, "setType", subject.type);
  use(request, "setName", subject.name);
  use(request, "setUrn", subject.urn);
  use(request, "setProperties", Struct.fromJavaScript(subject.inputs));
  use(request, "setOptions", options(subject));
  return request;
}

/** What the engine sends at the end of a preview or update: every resource with its outputs. */
function analyzeStackRequest(subjects: readonly PolicySubject[]): Message {
  const resources = subjects.map((subject) => {
    const resource = create("AnalyzerResource");
    use(resource, "setType", subject.type);
    use(resource, "setName", subject.name);
    use(resource, "setUrn", subject.urn);
    use(resource, "setProperties", Struct.fromJavaScript(subject.outputs));
    use(resource, "setOptions", options(subject));
    if (subject.parentUrn !== undefined) use(resource, "setParent", subject.parentUrn);
    return resource;
  });
  const request = create("AnalyzeStackRequest");
  use(request, "setResourcesList", resources);
  return request;
}

function isMandatory(message: Message): boolean {
  return use<number>(message, "getEnforcementlevel") === proto.EnforcementLevel["MANDATORY"];
}

function diagnosticsOf(response: Message): Diagnostic[] {
  return use<Message[]>(response, "getDiagnosticsList").map((diagnostic) => ({
    policy: use<string>(diagnostic, "getPolicyname"),
    urn: use<string>(diagnostic, "getUrn"),
    mandatory: isMandatory(diagnostic),
    message: use<string>(diagnostic, "getMessage"),
  }));
}

describe("policy pack under Pulumi's policy host", function () {
  this.timeout(120_000);
  let pack: { child: ChildProcess; port: number } | undefined;
  let client: Client | undefined;
  let subjects: PolicySubject[];

  before(async function () {
    subjects = await deployComponent("policy-host", { authorization: "NONE" });
    pack = await startPolicyPack();
    client = new AnalyzerClient(`127.0.0.1:${pack.port}`, grpc.credentials.createInsecure());
  });

  after(function () {
    client?.close();
    pack?.child.kill();
  });

  const analyzer = (): Client => {
    if (client === undefined) throw new Error("the policy pack did not start");
    return client;
  };

  it("describes the pack: name, version, six mandatory policies, five per resource and one per stack", async function () {
    const info = await call(analyzer(), "getAnalyzerInfo", new Empty());
    expect(use(info, "getName")).to.equal("streaming-rest-api-security");
    expect(use(info, "getVersion")).to.equal("0.1.0");
    const policies = use<Message[]>(info, "getPoliciesList").map((policy) => ({
      name: use<string>(policy, "getName"),
      mandatory: isMandatory(policy),
      type: use<number>(policy, "getPolicyType"),
    }));
    expect(policies.map(({ name, mandatory }) => [name, mandatory])).to.deep.equal([
      ["streaming-iam-no-wildcards", true],
      ["streaming-public-routes", true],
      ["streaming-log-retention", true],
      ["streaming-stage-throttling", true],
      ["streaming-integration", true],
      ["streaming-tls-only", true],
    ]);
    const stackPolicies = policies.filter(({ type }) => type === proto.PolicyType["POLICY_TYPE_STACK"]);
    expect(stackPolicies.map(({ name }) => name)).to.deep.equal(["streaming-stage-throttling"]);
  });

  it("reports the public route, and nothing else, resource by resource", async function () {
    const found: { resource: string; policy: string; mandatory: boolean; message: string }[] = [];
    for (const subject of subjects) {
      const diagnostics = diagnosticsOf(await call(analyzer(), "analyze", analyzeRequest(subject)));
      for (const { policy, mandatory, message } of diagnostics) {
        found.push({ resource: subject.name, policy, mandatory, message });
      }
    }
    expect(found.map(({ resource, policy, mandatory }) => ({ resource, policy, mandatory }))).to.deep.equal([
      { resource: "policy-host-method", policy: "streaming-public-routes", mandatory: true },
    ]);
    // The host prefixes the policy's description to the message the policy reported.
    expect(found[0]?.message).to.match(
      /^API methods require authorization \(.*\nThe ANY method of StreamingRestApi "policy-host"/s,
    );
  });

  it("takes the allowance for public routes from the policy config", async function () {
    const config = create("PolicyConfig");
    use(config, "setEnforcementlevel", proto.EnforcementLevel["MANDATORY"]);
    use(config, "setProperties", Struct.fromJavaScript({ publicComponents: ["policy-host"] }));
    const request = create("ConfigureAnalyzerRequest");
    use<{ set(key: string, value: Message): unknown }>(request, "getPolicyconfigMap").set(
      "streaming-public-routes",
      config,
    );
    await call(analyzer(), "configure", request);
    const method = subjectOf(subjects, "aws:apigateway/method:Method");
    expect(diagnosticsOf(await call(analyzer(), "analyze", analyzeRequest(method)))).to.deep.equal([]);
  });

  it("finds the stage throttled, and reports a stage whose method settings are gone", async function () {
    expect(
      diagnosticsOf(await call(analyzer(), "analyzeStack", analyzeStackRequest(subjects))),
    ).to.deep.equal([]);
    const withoutSettings = subjects.filter(
      (subject) => subject.type !== "aws:apigateway/methodSettings:MethodSettings",
    );
    const diagnostics = diagnosticsOf(
      await call(analyzer(), "analyzeStack", analyzeStackRequest(withoutSettings)),
    );
    expect(diagnostics.map(({ policy, urn }) => ({ policy, urn }))).to.deep.equal([
      { policy: "streaming-stage-throttling", urn: subjectOf(subjects, "aws:apigateway/stage:Stage").urn },
    ]);
  });
});
