// The component as Pulumi's component provider builds it for other languages (construct under mocks), and the
// alias that keeps stacks deployed under the component's former type token.
import {
  MOCK_PROJECT,
  MOCK_STACK,
  promiseOf,
  recorder,
  registeredUrns,
  settle,
  type RecordedResource,
} from "../helpers/pulumiMocks";
// The mocks above are installed before the component module is loaded.
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { RegisterResourceRequest } from "@pulumi/pulumi/proto/resource_pb";
import {
  LEGACY_STREAMING_REST_API_TYPE,
  STREAMING_REST_API_TYPE,
  StreamingRestApi,
  type StreamingRestApiArgs,
  type StreamingRestApiSchemaArgs,
} from "../../components";
import { REPO_ROOT, repositoryProvider } from "./componentProvider";

const HANDLER = path.join(REPO_ROOT, "handler", "index.ts");
const AUTHORIZER_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:check-token";
const CERTIFICATE_ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789";
/** Components bundle into `<working directory>/.build/<name>/`: a scratch directory keeps the repository clean. */
const PROJECT_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "streaming-rest-api-provider-"));

/** A registration, comparable across two constructions under the same name (same mock ids and names). */
interface Registration {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

/** Runs `build`, waits for every registration to reach the mocks, and returns them sorted by type and name. */
async function registrationsOf(build: () => Promise<unknown>): Promise<Registration[]> {
  const before = recorder.resources.length;
  await build();
  await settle();
  const registered = recorder.resources.slice(before);
  return Promise.all(registered.map(comparable)).then((all) =>
    all.sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`)),
  );
}

/** A recorded resource with its code archive (an asset object holding a promise) replaced by its path. */
async function comparable(resource: RecordedResource): Promise<Registration> {
  const { code, ...inputs } = resource.inputs as { code?: pulumi.asset.FileArchive };
  return {
    type: resource.type,
    name: resource.name,
    inputs: code === undefined ? inputs : { ...inputs, code: { archive: await code.path } },
  };
}

/** Builds the component as Pulumi's component provider does for a Python, Go, .NET or YAML program. */
async function constructThroughProvider(name: string, inputs: StreamingRestApiSchemaArgs | pulumi.Inputs) {
  return repositoryProvider().construct(name, STREAMING_REST_API_TYPE, inputs as pulumi.Inputs, {});
}

/** Builds the component as a TypeScript program does, and waits for its URL. */
async function constructInTypeScript(name: string, args: StreamingRestApiArgs): Promise<StreamingRestApi> {
  const api = new StreamingRestApi(name, args);
  await promiseOf(api.url);
  return api;
}

/** Records the registration requests the component sends to the (mock) resource monitor while `build` runs. */
async function requestsDuring(build: () => Promise<unknown>): Promise<RegisterResourceRequest[]> {
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(request: RegisterResourceRequest, callback: unknown): unknown;
  };
  const requests: RegisterResourceRequest[] = [];
  const original = monitor.registerResource;
  monitor.registerResource = function (request, callback) {
    requests.push(request);
    return original.call(this, request, callback);
  };
  try {
    await build();
    await settle();
  } finally {
    monitor.registerResource = original;
  }
  return requests;
}

/** Pulumi's runtime settings (internal): whether the engine resolves alias specs, or the SDK computes URNs. */
function runtimeStore(): { supportsAliasSpecs: boolean } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- internal module without typings
  const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { supportsAliasSpecs: boolean } };
  return state.getStore();
}

describe("the component served to other languages", function () {
  // The provider infers its schema (seconds) before its first construct, as it does on every `pulumi up`.
  this.timeout(180_000);
  let originalDirectory: string;

  before(function () {
    originalDirectory = process.cwd();
    process.chdir(PROJECT_DIR);
  });
  after(function () {
    process.chdir(originalDirectory);
    fs.rmSync(PROJECT_DIR, { recursive: true, force: true });
  });
  afterEach(function () {
    expect(recorder.unexpected, "unexpected resources or provider calls").to.deep.equal([]);
  });

  describe("construct() creates what the TypeScript class creates with the same arguments", function () {
    const cases: Array<{
      what: string;
      name: string;
      schemaInputs: pulumi.Inputs;
      typeScriptArgs: StreamingRestApiArgs;
    }> = [
      {
        what: "the handler alone (every default)",
        name: "ml-defaults",
        schemaInputs: { handler: HANDLER },
        typeScriptArgs: { handler: HANDLER },
      },
      {
        what: "every kind of argument, inputs as outputs where the schema allows them",
        name: "ml-options",
        schemaInputs: {
          handler: HANDLER,
          memorySize: 512,
          timeout: 120,
          architecture: "x86_64",
          environment: pulumi.output({ STAGE: "test" }),
          kmsKeyArn: pulumi.output("arn:aws:kms:eu-west-1:123456789012:key/abc"),
          vpcConfig: { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] },
          tracing: true,
          logRetentionInDays: 30,
          logFormat: "JSON",
          applicationLogLevel: "WARN",
          systemLogLevel: "INFO",
          path: "items/{id}",
          method: "GET",
          stageName: "v1",
          authorization: "NONE",
          binaryMediaTypes: ["image/png", "application/octet-stream"],
          throttle: { rateLimit: 5, burstLimit: 10 },
          accessLogging: { retentionInDays: 90 },
          webAclArn: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api/abc",
          bundle: { minify: false, sourcemap: false },
        },
        typeScriptArgs: {
          handler: HANDLER,
          memorySize: 512,
          timeout: 120,
          architecture: "x86_64",
          environment: { STAGE: "test" },
          kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc",
          vpcConfig: { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] },
          tracing: true,
          logRetentionInDays: 30,
          logFormat: "JSON",
          applicationLogLevel: "WARN",
          systemLogLevel: "INFO",
          path: "items/{id}",
          method: "GET",
          stageName: "v1",
          authorization: "NONE",
          binaryMediaTypes: ["image/png", "application/octet-stream"],
          throttle: { rateLimit: 5, burstLimit: 10 },
          accessLogging: { retentionInDays: 90 },
          webAclArn: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api/abc",
          bundle: { minify: false, sourcemap: false },
        },
      },
      {
        what: "cors, a Lambda authorizer, a custom domain and a capacity provider, ARNs as outputs",
        name: "ml-access",
        schemaInputs: {
          handler: HANDLER,
          memorySize: 2048,
          cors: { allowOrigins: ["https://app.example.com", "http://localhost:5173"], maxAge: 60 },
          authorization: "CUSTOM",
          authorizer: { functionArn: pulumi.output(AUTHORIZER_ARN), type: "TOKEN" },
          domain: {
            name: "stream.example.com",
            certificateArn: pulumi.output(CERTIFICATE_ARN),
            basePath: "v1",
            hostedZoneId: "Z0123456789ABCDEFGHIJ",
          },
          capacityProvider: {
            subnetIds: ["subnet-0a1b2c3d"],
            securityGroupIds: ["sg-0a1b2c3d"],
            instanceTypes: ["m7g.large"],
            memoryGibPerVcpu: 2,
          },
        },
        typeScriptArgs: {
          handler: HANDLER,
          memorySize: 2048,
          cors: { allowOrigins: ["https://app.example.com", "http://localhost:5173"], maxAge: 60 },
          authorization: "CUSTOM",
          authorizer: { functionArn: AUTHORIZER_ARN, type: "TOKEN" },
          domain: {
            name: "stream.example.com",
            certificateArn: CERTIFICATE_ARN,
            basePath: "v1",
            hostedZoneId: "Z0123456789ABCDEFGHIJ",
          },
          capacityProvider: {
            subnetIds: ["subnet-0a1b2c3d"],
            securityGroupIds: ["sg-0a1b2c3d"],
            instanceTypes: ["m7g.large"],
            memoryGibPerVcpu: 2,
          },
        },
      },
      {
        what: "access logging as the schema's empty object and as TypeScript's true",
        name: "ml-access-logs",
        schemaInputs: { handler: HANDLER, accessLogging: {} },
        typeScriptArgs: { handler: HANDLER, accessLogging: true },
      },
    ];
    for (const { what, name, schemaInputs, typeScriptArgs } of cases) {
      it(what, async function () {
        let constructed: Awaited<ReturnType<typeof constructThroughProvider>> | undefined;
        const throughProvider = await registrationsOf(async () => {
          constructed = await constructThroughProvider(name, schemaInputs);
        });
        let api: StreamingRestApi | undefined;
        const inTypeScript = await registrationsOf(async () => {
          api = await constructInTypeScript(name, typeScriptArgs);
        });

        expect(throughProvider.map(({ type, name: child }) => `${type} ${child}`)).to.include(
          `${STREAMING_REST_API_TYPE} ${name}`,
        );
        expect(throughProvider.length).to.be.greaterThan(13);
        expect(throughProvider).to.deep.equal(inTypeScript);

        // The outputs the provider returns to the calling program are the component's own.
        const state = constructed?.state as Record<string, pulumi.Output<unknown>>;
        expect(await promiseOf(state["url"] as pulumi.Output<string>)).to.equal(await promiseOf(api!.url));
        expect(await promiseOf(state["functionArn"] as pulumi.Output<string>)).to.equal(
          await promiseOf(api!.functionArn),
        );
        expect(await promiseOf(state["bundleBytes"] as pulumi.Output<number>)).to.be.greaterThan(0);
        expect(state["role"]).to.be.instanceOf(pulumi.CustomResource);
        expect(await promiseOf(constructed!.urn as pulumi.Output<string>)).to.equal(
          `urn:pulumi:${MOCK_STACK}::${MOCK_PROJECT}::${STREAMING_REST_API_TYPE}::${name}`,
        );
      });
    }

    it("refuses a bad argument from another language as it refuses it in TypeScript", async function () {
      let refusal: unknown;
      try {
        await constructThroughProvider("ml-refused", { handler: HANDLER, applicationLogLevel: "DEBUG" });
      } catch (error) {
        refusal = error;
      }
      expect(refusal).to.be.instanceOf(Error);
      expect((refusal as { argument?: string }).argument).to.equal("applicationLogLevel");
      expect(String((refusal as Error).message)).to.include('Set logFormat to "JSON"');
      await settle();
      expect(recorder.has("ml-refused")).to.equal(false);
    });

    it("resolves a relative handler against the program's working directory, without node_modules", async function () {
      // A Python or YAML project has no node_modules: the runtime's specifier resolves to the provider's copy.
      fs.mkdirSync(path.join(PROJECT_DIR, "src"), { recursive: true });
      fs.writeFileSync(
        path.join(PROJECT_DIR, "src", "hello.ts"),
        'import type { StreamingLambdaHandler } from "streaming-rest-api/runtime";\n' +
          "export const hello: StreamingLambdaHandler = async (_event, writer) => {\n" +
          '  await writer.writeAndFinish("hello");\n' +
          "};\n",
      );
      const registrations = await registrationsOf(() =>
        constructThroughProvider("ml-relative", { handler: "src/hello.ts", handlerExport: "hello" }),
      );
      const fn = registrations.find((resource) => resource.name === "ml-relative-fn");
      expect(fn?.inputs["code"]).to.deep.equal({
        archive: path.join(fs.realpathSync(PROJECT_DIR), ".build", "ml-relative", "function.zip"),
      });
    });
  });

  describe("the type token", function () {
    it("is aliased to the legacy token, with the same name and parent", async function () {
      const requests = await requestsDuring(() =>
        constructInTypeScript("aliased-spec", { handler: HANDLER }),
      );
      const component = requests.find((request) => request.getName() === "aliased-spec");
      expect(component?.getType()).to.equal(STREAMING_REST_API_TYPE);
      const specs = component?.getAliasesList().map((alias) => alias.getSpec()?.toObject());
      expect(specs).to.have.lengthOf(1);
      expect(specs?.[0]).to.include({
        type: LEGACY_STREAMING_REST_API_TYPE,
        name: "",
        stack: "",
        project: "",
      });
    });

    it("keeps aliases the caller gives", async function () {
      const requests = await requestsDuring(async () => {
        const api = new StreamingRestApi(
          "aliased-renamed",
          { handler: HANDLER },
          { aliases: [{ name: "old" }] },
        );
        await promiseOf(api.url);
      });
      const specs = requests
        .find((request) => request.getName() === "aliased-renamed")
        ?.getAliasesList()
        .map((alias) => alias.getSpec()?.toObject());
      expect(specs?.map((spec) => [spec?.name, spec?.type])).to.deep.equal([
        ["old", ""],
        ["", LEGACY_STREAMING_REST_API_TYPE],
      ]);
    });

    it("covers every child: each child's URN under the legacy parent token is one of its aliases", async function () {
      // With an engine that resolves alias specs, the engine derives children's aliases from the parent's.
      // Without (the SDK computes URNs itself), the same derivation is visible here, child by child.
      const store = runtimeStore();
      const supportsAliasSpecs = store.supportsAliasSpecs;
      store.supportsAliasSpecs = false;
      let requests: RegisterResourceRequest[];
      try {
        requests = await requestsDuring(() =>
          constructInTypeScript("aliased-urns", { handler: HANDLER, accessLogging: true }),
        );
      } finally {
        store.supportsAliasSpecs = supportsAliasSpecs;
      }
      const urns = registeredUrns();
      const children = requests.filter((request) => request.getName().startsWith("aliased-urns-"));
      expect(children).to.have.lengthOf(14);
      for (const child of children) {
        const urn = urns.find((candidate) => candidate.endsWith(`$${child.getType()}::${child.getName()}`));
        expect(urn, child.getName()).to.include(`::${STREAMING_REST_API_TYPE}$`);
        const legacyUrn = urn!.replace(
          `::${STREAMING_REST_API_TYPE}$`,
          `::${LEGACY_STREAMING_REST_API_TYPE}$`,
        );
        expect(child.getAliasurnsList(), child.getName()).to.include(legacyUrn);
      }
    });
  });
});
