// Builds a StreamingRestApi under the Pulumi mocks and returns its resources as the policy host would see them.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { recorder, promiseOf, registeredUrns, settle, type RecordedResource } from "../helpers/pulumiMocks";
import { StreamingRestApi } from "../../components";
import type { StreamingRestApiArgs } from "../../components/args";
import type { PolicySubject } from "./policyHarness";

/** The example handler: every policy test bundles the real thing. */
export const EXAMPLE_HANDLER = path.resolve(__dirname, "../../handler/index.ts");

/** Every optional feature that adds IAM permissions or resources: tracing, VPC, KMS and a dead-letter queue. */
export const PERMISSION_OPTIONS: Partial<StreamingRestApiArgs> = {
  tracing: true,
  vpcConfig: { subnetIds: ["subnet-0a1b2c3d"], securityGroupIds: ["sg-0a1b2c3d"] },
  kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  deadLetterTargetArn: "arn:aws:sqs:eu-west-1:123456789012:streaming-dlq",
};

/**
 * {@link PERMISSION_OPTIONS} plus access logs, a WAF web ACL, CORS, a Lambda authorizer, a custom domain with
 * its DNS records and a capacity provider the component creates: every optional feature turned on.
 */
export const EVERY_OPTION: Partial<StreamingRestApiArgs> = {
  ...PERMISSION_OPTIONS,
  accessLogging: true,
  webAclArn: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/streaming/0123abcd",
  cors: { allowOrigins: ["https://app.example.com", "http://localhost:5173"], allowCredentials: true },
  authorization: "CUSTOM",
  authorizer: { functionArn: "arn:aws:lambda:eu-west-1:123456789012:function:streaming-authorizer" },
  domain: {
    name: "stream.example.com",
    certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
    hostedZoneId: "Z0123456789ABCDEFGHIJ",
  },
  memorySize: 2048,
  capacityProvider: {
    subnetIds: ["subnet-0a1b2c3d"],
    securityGroupIds: ["sg-0a1b2c3d"],
    memoryGibPerVcpu: 2,
  },
};

let scratchProject: string | undefined;

/**
 * A scratch project directory, removed when the process exits. Components bundle into
 * `<working directory>/.build/<name>/`; building there leaves the repository alone.
 */
function scratchDirectory(): string {
  if (scratchProject === undefined) {
    const created = fs.mkdtempSync(path.join(os.tmpdir(), "streaming-rest-api-policy-"));
    process.once("exit", () => fs.rmSync(created, { recursive: true, force: true }));
    scratchProject = created;
  }
  return scratchProject;
}

/**
 * Constructs a StreamingRestApi named `name` (unique per process: the mocks are shared) and returns the
 * component and every child it registered, with URNs, parents, inputs and the provider-computed outputs.
 */
export async function deployComponent(
  name: string,
  args: Partial<StreamingRestApiArgs> = {},
): Promise<PolicySubject[]> {
  const workingDirectory = process.cwd();
  process.chdir(scratchDirectory());
  let api: StreamingRestApi;
  try {
    api = new StreamingRestApi(name, { handler: EXAMPLE_HANDLER, ...args });
  } finally {
    process.chdir(workingDirectory);
  }
  await promiseOf(api.url);
  await settle();
  const urns = registeredUrns();
  const component = recorder.get(name);
  const componentUrn = urnOf(urns, component);
  const children = recorder.childrenOf(name).map((child): PolicySubject => ({
    type: child.type,
    name: child.name,
    urn: urnOf(urns, child),
    parentUrn: componentUrn,
    inputs: child.inputs,
    outputs: child.state,
  }));
  return [{ type: component.type, name, urn: componentUrn, inputs: {}, outputs: {} }, ...children];
}

/** The one resource of `type` named `name`; throws otherwise, naming what was there. */
export function subjectOf(subjects: readonly PolicySubject[], type: string, name?: string): PolicySubject {
  const found = subjects.filter(
    (subject) => subject.type === type && (name === undefined || subject.name === name),
  );
  if (found.length !== 1) {
    const present = subjects.map((subject) => `${subject.type} ${subject.name}`).join(", ");
    throw new Error(`expected one ${type}${name === undefined ? "" : ` named ${name}`}; have ${present}`);
  }
  return found[0] as PolicySubject;
}

/** A copy of `subject` with some inputs (and the same outputs) replaced: a mutated resource. */
export function withInputs(subject: PolicySubject, changes: Record<string, unknown>): PolicySubject {
  return {
    ...subject,
    inputs: { ...subject.inputs, ...changes },
    outputs: { ...subject.outputs, ...changes },
  };
}

/** The URN the mock monitor registered for a recorded resource (its type chain records the parents). */
function urnOf(urns: readonly string[], resource: RecordedResource): string {
  const found = urns.filter(
    (urn) => urn.endsWith(`::${resource.name}`) && urn.split("::")[2]?.split("$").pop() === resource.type,
  );
  if (found.length !== 1)
    throw new Error(`expected one URN for ${resource.type} ${resource.name}, found ${found.length}`);
  return found[0] as string;
}
