// Pulumi mocks for component tests: record every resource and its inputs, mimic AWS provider state, refuse surprises.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

export const MOCK_REGION = "eu-west-1";
export const MOCK_ACCOUNT = "123456789012";
export const MOCK_PROJECT = "streaming-rest-api-test";
export const MOCK_STACK = "test";

/** A resource registered with the mocks. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  /** Inputs as the provider would receive them (outputs resolved, undefined values dropped). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- inputs are untyped provider data
  readonly inputs: Record<string, any>;
  readonly id: string;
  /** The provider reference (`urn::id`) the resource was registered with, if one was set. */
  readonly provider: string | undefined;
  /** The state the mock returned, as the provider would compute it. */
  readonly state: Record<string, unknown>;
}

type StateMaker = (name: string, inputs: Record<string, unknown>, id: string) => Record<string, unknown>;

/** Short, stable, fake identifiers derived from a name, like the ones AWS hands out. */
function fakeId(seed: string, length = 10): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** Pulumi's auto-naming: the logical name, `-`, and 7 hex characters. */
function autoName(name: string): string {
  return `${name}-${fakeId(`autoname:${name}`, 7)}`;
}

function region(inputs: Record<string, unknown>): string {
  return typeof inputs["region"] === "string" ? inputs["region"] : MOCK_REGION;
}

function physicalName(name: string, inputs: Record<string, unknown>): string {
  if (typeof inputs["name"] === "string") return inputs["name"];
  if (typeof inputs["namePrefix"] === "string")
    return `${inputs["namePrefix"]}${fakeId(`prefix:${name}`, 26)}`;
  return autoName(name);
}

/** What each AWS resource type the component may create looks like after the provider has created it. */
const PROVIDER_STATE: Record<string, StateMaker> = {
  "aws:cloudwatch/logGroup:LogGroup": (name, inputs) => {
    const logGroupName = physicalName(name, inputs);
    return {
      name: logGroupName,
      arn: `arn:aws:logs:${region(inputs)}:${MOCK_ACCOUNT}:log-group:${logGroupName}`,
    };
  },
  "aws:iam/role:Role": (name, inputs) => {
    const roleName = physicalName(name, inputs);
    return {
      name: roleName,
      arn: `arn:aws:iam::${MOCK_ACCOUNT}:role/${roleName}`,
      uniqueId: fakeId(name, 21),
    };
  },
  "aws:iam/rolePolicy:RolePolicy": (name, inputs) => ({ name: physicalName(name, inputs) }),
  "aws:lambda/function:Function": (name, inputs) => {
    const functionName = physicalName(name, inputs);
    const arn = `arn:aws:lambda:${region(inputs)}:${MOCK_ACCOUNT}:function:${functionName}`;
    const apiPath = `arn:aws:apigateway:${region(inputs)}:lambda:path`;
    return {
      name: functionName,
      arn,
      qualifiedArn: `${arn}:$LATEST`,
      version: "$LATEST",
      invokeArn: `${apiPath}/2015-03-31/functions/${arn}/invocations`,
      responseStreamingInvokeArn: `${apiPath}/2021-11-15/functions/${arn}/response-streaming-invocations`,
    };
  },
  "aws:apigateway/restApi:RestApi": (name, inputs, id) => ({
    name: physicalName(name, inputs),
    rootResourceId: fakeId(`root:${name}`),
    arn: `arn:aws:apigateway:${region(inputs)}::/restapis/${id}`,
    executionArn: `arn:aws:execute-api:${region(inputs)}:${MOCK_ACCOUNT}:${id}`,
  }),
  "aws:apigateway/resource:Resource": () => ({}),
  "aws:apigateway/method:Method": () => ({}),
  "aws:apigateway/integration:Integration": () => ({}),
  "aws:apigateway/deployment:Deployment": () => ({}),
  "aws:apigateway/stage:Stage": (_name, inputs) => {
    const restApiId = String(inputs["restApi"]);
    const stageName = String(inputs["stageName"]);
    const host = `${restApiId}.execute-api.${region(inputs)}.amazonaws.com`;
    return {
      invokeUrl: `https://${host}/${stageName}`,
      arn: `arn:aws:apigateway:${region(inputs)}::/restapis/${restApiId}/stages/${stageName}`,
      executionArn: `arn:aws:execute-api:${region(inputs)}:${MOCK_ACCOUNT}:${restApiId}/${stageName}`,
    };
  },
  "aws:apigateway/methodSettings:MethodSettings": () => ({}),
  "aws:wafv2/webAclAssociation:WebAclAssociation": () => ({}),
  "aws:apigateway/methodResponse:MethodResponse": () => ({}),
  "aws:apigateway/integrationResponse:IntegrationResponse": () => ({}),
  "aws:apigateway/response:Response": () => ({}),
  "aws:apigateway/authorizer:Authorizer": (name, inputs) => ({ name: physicalName(name, inputs) }),
  "aws:lambda/permission:Permission": (name) => ({ statementId: autoName(name) }),
  "aws:apigateway/domainName:DomainName": (name, inputs) => ({
    arn: `arn:aws:apigateway:${region(inputs)}::/domainnames/${String(inputs["domainName"])}`,
    regionalDomainName: `d-${fakeId(`domain:${name}`)}.execute-api.${region(inputs)}.amazonaws.com`,
    regionalZoneId: "ZLY8HYME6SFDD",
  }),
  "aws:apigateway/basePathMapping:BasePathMapping": () => ({}),
  "aws:route53/record:Record": (_name, inputs) => ({ fqdn: String(inputs["name"]) }),
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": () => ({}),
  "aws:lambda/capacityProvider:CapacityProvider": (name, inputs) => {
    const providerName = physicalName(name, inputs);
    return {
      name: providerName,
      arn: `arn:aws:lambda:${region(inputs)}:${MOCK_ACCOUNT}:capacity-provider:${providerName}`,
    };
  },
  "pulumi:providers:aws": () => ({}),
};

/** Component types the tests construct (components have no provider state), the legacy token included. */
const COMPONENT_TYPES = new Set([
  "streaming-rest-api:index:StreamingRestApi",
  "streaming:index:StreamingRestApi",
]);

/**
 * Mocks that record every registration. Any resource type outside the expected set, and any provider
 * function call (data source), is recorded in {@link unexpected} and fails the registration.
 */
export class ResourceRecorder implements pulumi.runtime.Mocks {
  readonly resources: RecordedResource[] = [];
  readonly unexpected: string[] = [];

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    if (COMPONENT_TYPES.has(args.type)) {
      const id = `${args.name}-component`;
      this.resources.push({
        type: args.type,
        name: args.name,
        inputs,
        id,
        provider: args.provider,
        state: {},
      });
      return { id, state: {} };
    }
    const makeState = PROVIDER_STATE[args.type];
    if (makeState === undefined) {
      this.unexpected.push(`resource ${args.type} ${args.name}`);
      throw new Error(`Unexpected resource type ${args.type} (${args.name})`);
    }
    const id = fakeId(`${args.type}:${args.name}`);
    const state = { ...inputs, ...makeState(args.name, inputs, id) };
    this.resources.push({ type: args.type, name: args.name, inputs, id, provider: args.provider, state });
    return { id, state };
  }

  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    this.unexpected.push(`call ${args.token}`);
    throw new Error(`Unexpected provider call ${args.token}`);
  }

  /** The resources whose logical name starts with `${componentName}-`, i.e. its children. */
  childrenOf(componentName: string): RecordedResource[] {
    return this.resources.filter((resource) => resource.name.startsWith(`${componentName}-`));
  }

  /** The one resource with this logical name; throws when there is none or several. */
  get(name: string): RecordedResource {
    const found = this.resources.filter((resource) => resource.name === name);
    if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}`);
    return found[0] as RecordedResource;
  }

  /** Whether a resource with this logical name was registered. */
  has(name: string): boolean {
    return this.resources.some((resource) => resource.name === name);
  }
}

/**
 * The process-wide recorder, installed as Pulumi's mocks (not a preview, so outputs resolve) when this module
 * is first imported. Mocks are global to the process, so every component test file shares it: import this
 * module before the module under test, and give each component a name no other test uses.
 */
export const recorder: ResourceRecorder = new ResourceRecorder();
void pulumi.runtime.setMocks(recorder, MOCK_PROJECT, MOCK_STACK, false);

/** The value of an output, once known. */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** URNs of every registered resource (the mock monitor's records), which encode each one's parent chain. */
export function registeredUrns(): string[] {
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    getRegisteredResources?: () => Map<string, unknown>;
  };
  if (monitor.getRegisteredResources === undefined) throw new Error("Pulumi mocks are not installed");
  return [...monitor.getRegisteredResources().keys()];
}

/**
 * Resolves once every pending resource registration has reached the mocks, including registrations still
 * waiting for their inputs. Uses the SDK's RPC drain (`waitForRPCs`, exported but marked internal).
 */
export async function settle(): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (runtime.waitForRPCs === undefined)
    throw new Error("@pulumi/pulumi no longer exports runtime.waitForRPCs");
  await runtime.waitForRPCs();
}
