// Runs CrossGuard policies on resources the way Pulumi's policy host does, without the CLI or a gRPC server.
import * as path from "node:path";
import type {
  Policies,
  PolicyConfigSchema,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";

/**
 * The `@pulumi/policy` copy the pack itself loads (the pack's own `node_modules` when `npm install` ran
 * there, else the root's). Unknown-value sentinels and `UnknownValueError` are compared by identity, so
 * the proxy must come from the same copy as the policies.
 */
const POLICY_DIR = path.resolve(__dirname, "../../policy");
// eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved from the pack's directory on purpose
const policyProxy = require(require.resolve("@pulumi/policy/proxy", { paths: [POLICY_DIR] })) as {
  unknownCheckingProxy<T>(value: T): T;
  unknownStringValue: unknown;
};

/** A value the engine does not know yet (a preview before the resource exists), as the policy host sees it. */
export const UNKNOWN_STRING: unknown = policyProxy.unknownStringValue;

/** A resource as the policy host presents it. */
export interface PolicySubject {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  /** The parent's URN (the component's, for its children). */
  readonly parentUrn?: string;
  /** Inputs: what resource policies see (`analyze`, before the resource is created or updated). */
  readonly inputs: Record<string, unknown>;
  /** Outputs: what stack policies see (`analyzeStack`, after the provider computed its state). */
  readonly outputs: Record<string, unknown>;
  /** URNs of the resources it depends on. */
  readonly dependencies?: readonly string[];
}

/** Per-policy configuration, as in `pulumi up --policy-pack-config`: `{ "<policy name>": { ... } }`. */
export type PackConfig = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** What one policy said about one resource (or the stack). */
export interface PolicyOutcome {
  readonly violations: readonly string[];
  /** Set when the policy declared itself not applicable, with its reason. */
  readonly notApplicable?: string;
}

/** A violation found by {@link runPack}. */
export interface Finding {
  readonly policy: string;
  /** Logical name of the resource at fault (stack policies may name one, or none). */
  readonly resource: string | undefined;
  readonly message: string;
}

class NotApplicable extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** The config a policy sees: its schema's defaults (the engine fills them in), overridden by `config`. */
export function effectiveConfig(
  schema: PolicyConfigSchema | undefined,
  config: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(schema?.properties ?? {})) {
    if (typeof property === "object" && property.default !== undefined) defaults[key] = property.default;
  }
  return { ...defaults, ...config };
}

function options(parentUrn: string | undefined): PolicyResourceOptions {
  return {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    parent: parentUrn,
  };
}

/** `isType`/`asType` as the policy host implements them: by the class's `__pulumiType` token. */
function typeMatcher(type: string) {
  const matches = (resourceClass: unknown): boolean =>
    (resourceClass as { __pulumiType?: unknown }).__pulumiType === type;
  return { matches };
}

/** Calls a resource policy's validations on one resource, as the host's `analyze` call does. */
export async function validateResource(
  policy: ResourceValidationPolicy,
  subject: PolicySubject,
  config?: Readonly<Record<string, unknown>>,
): Promise<PolicyOutcome> {
  const violations: string[] = [];
  const { matches } = typeMatcher(subject.type);
  const validations = [policy.validateResource ?? []].flat();
  for (const validation of validations) {
    // The host wraps the inputs in its unknown-checking proxy: reading an unknown value throws.
    const props = policyProxy.unknownCheckingProxy(subject.inputs);
    const args: ResourceValidationArgs = {
      type: subject.type,
      props,
      urn: subject.urn,
      name: subject.name,
      opts: options(subject.parentUrn),
      stackTags: new Map(),
      isType: (resourceClass) => matches(resourceClass),
      asType: (resourceClass) => (matches(resourceClass) ? props : undefined) as never,
      getConfig: <T extends object>() => effectiveConfig(policy.configSchema, config) as T,
      notApplicable: (reason?: string): never => {
        throw new NotApplicable(reason ?? "");
      },
    };
    try {
      await validation(args, (message) => violations.push(message));
    } catch (error) {
      if (error instanceof NotApplicable) return { violations, notApplicable: error.reason };
      throw error;
    }
  }
  return { violations };
}

/** A stack policy's verdict: messages, each with the URN it names (if any). */
export interface StackOutcome {
  readonly violations: readonly { readonly message: string; readonly urn: string | undefined }[];
  readonly notApplicable?: string;
}

/** Calls a stack policy on every resource, as the host's `analyzeStack` call does (outputs, with links). */
export async function validateStack(
  policy: StackValidationPolicy,
  subjects: readonly PolicySubject[],
  config?: Readonly<Record<string, unknown>>,
): Promise<StackOutcome> {
  const byUrn = new Map<string, PolicyResource>();
  const resources: PolicyResource[] = subjects.map((subject) => {
    const props = policyProxy.unknownCheckingProxy(subject.outputs);
    const { matches } = typeMatcher(subject.type);
    const resource: PolicyResource = {
      type: subject.type,
      props,
      urn: subject.urn,
      name: subject.name,
      opts: options(subject.parentUrn),
      dependencies: [],
      propertyDependencies: {},
      isType: (resourceClass) => matches(resourceClass),
      asType: (resourceClass) => (matches(resourceClass) ? props : undefined) as never,
    };
    byUrn.set(subject.urn, resource);
    return resource;
  });
  subjects.forEach((subject, index) => {
    const resource = resources[index] as PolicyResource;
    resource.parent = subject.parentUrn === undefined ? undefined : byUrn.get(subject.parentUrn);
    resource.dependencies = (subject.dependencies ?? [])
      .map((urn) => byUrn.get(urn))
      .filter((dependency): dependency is PolicyResource => dependency !== undefined);
  });
  const violations: { message: string; urn: string | undefined }[] = [];
  try {
    await policy.validateStack(
      {
        resources,
        stackTags: new Map(),
        getConfig: <T extends object>() => effectiveConfig(policy.configSchema, config) as T,
        notApplicable: (reason?: string): never => {
          throw new NotApplicable(reason ?? "");
        },
      },
      (message, urn) => violations.push({ message, urn }),
    );
  } catch (error) {
    if (error instanceof NotApplicable) return { violations, notApplicable: error.reason };
    throw error;
  }
  return { violations };
}

/** Runs every policy on every resource (resource policies) and on the stack (stack policies). */
export async function runPack(
  policies: Policies,
  subjects: readonly PolicySubject[],
  config: PackConfig = {},
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const nameOf = new Map(subjects.map((subject) => [subject.urn, subject.name]));
  for (const policy of policies) {
    const policyConfig = config[policy.name];
    if ("validateStack" in policy) {
      const outcome = await validateStack(policy, subjects, policyConfig);
      for (const { message, urn } of outcome.violations) {
        findings.push({
          policy: policy.name,
          resource: urn === undefined ? undefined : nameOf.get(urn),
          message,
        });
      }
      continue;
    }
    for (const subject of subjects) {
      const outcome = await validateResource(policy, subject, policyConfig);
      for (const message of outcome.violations) {
        findings.push({ policy: policy.name, resource: subject.name, message });
      }
    }
  }
  return findings;
}
