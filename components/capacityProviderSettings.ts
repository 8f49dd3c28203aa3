// The capacityProvider argument (Lambda Managed Instances), checked against LMI's documented limits.
import * as pulumi from "@pulumi/pulumi";
import { MANAGED_INSTANCES_MEMORY_SIZE_MB } from "./args";
import { isIntegerIn, isPlainObject, type Fail } from "./checks";
import { Architecture } from "./enums";

/** A capacity provider the component creates. */
export interface CreatedCapacityProviderSettings {
  readonly subnetIds: readonly pulumi.Input<string>[] | pulumi.Output<unknown>;
  readonly securityGroupIds: readonly pulumi.Input<string>[] | pulumi.Output<unknown>;
  readonly instanceTypes: readonly string[] | undefined;
  readonly maxVCpuCount: number | undefined;
}

/** The capacityProvider argument, checked. */
export interface ResolvedCapacityProvider {
  /** An existing capacity provider's ARN, or `undefined` when {@link create} describes one. */
  readonly arn: pulumi.Input<string> | undefined;
  /** The capacity provider to create, or `undefined` with {@link arn}. */
  readonly create: CreatedCapacityProviderSettings | undefined;
  readonly perExecutionEnvironmentMaxConcurrency: number | undefined;
  readonly memoryGibPerVcpu: number | undefined;
  /** The execution environment's vCPUs (memory ÷ memory per vCPU), when `memoryGibPerVcpu` is given. */
  readonly vCpus: number | undefined;
}

/** API limits of a capacity provider and of a function's capacity provider settings. */
export const CAPACITY_PROVIDER_LIMITS = {
  maxVCpuCount: { min: 2, max: 15_000 },
  perExecutionEnvironmentMaxConcurrency: { min: 1, max: 1_600 },
  memoryGibPerVcpu: { min: 2, max: 8 },
  instanceTypes: { max: 400 },
} as const;

const CAPACITY_PROVIDER_ARN =
  /^arn:aws[a-zA-Z-]*:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:capacity-provider:[a-zA-Z0-9-_]+$/;
const SUBNET_ID = /^subnet-[0-9a-f]+$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]+$/;
/** `family.size`, within the API's 30 characters of `[a-zA-Z0-9.-]`. */
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
/**
 * Graviton (arm64) families have a `g` right after their generation digit: m7g, c7gn, r8gd, x2gd, t4g,
 * im4gn, hpc7g. x86 ones do not (m7i, c7a, m5, r7iz, g5).
 */
const GRAVITON_FAMILY = /^[a-z]+\d+g/;

/**
 * Checks `capacityProvider` with the function settings it constrains: `arn` or `subnetIds` (one of the two),
 * the function's memory (2048 to 32768 MB, and at least one vCPU at `memoryGibPerVcpu`), instance types of the
 * function's architecture, and the API's ranges.
 * @returns The settings, or `undefined` without a capacity provider.
 */
export function resolveCapacityProvider(
  raw: unknown,
  memorySize: number,
  architecture: Architecture,
  fail: Fail,
): ResolvedCapacityProvider | undefined {
  if (raw === undefined) return undefined;
  if (!isPlainObject(raw)) {
    return fail(
      "capacityProvider",
      "capacityProvider must be an object: { arn } for an existing capacity provider, or { subnetIds, " +
        "securityGroupIds } for one the component creates.",
    );
  }
  const { min, max } = MANAGED_INSTANCES_MEMORY_SIZE_MB;
  if (memorySize < min || memorySize > max) {
    fail(
      "memorySize",
      `memorySize ${memorySize} MB is outside Lambda Managed Instances' range, ${min} to ${max} MB (2 GB and 1 ` +
        `vCPU at least). Set memorySize to ${min} or more with capacityProvider.`,
    );
  }
  const memoryGibPerVcpu = optionalNumber(
    raw,
    "memoryGibPerVcpu",
    CAPACITY_PROVIDER_LIMITS.memoryGibPerVcpu,
    false,
    fail,
  );
  if (memoryGibPerVcpu !== undefined && memorySize < memoryGibPerVcpu * 1024) {
    fail(
      "capacityProvider.memoryGibPerVcpu",
      `capacityProvider.memoryGibPerVcpu ${memoryGibPerVcpu} with memorySize ${memorySize} MB gives less than one ` +
        `vCPU. Raise memorySize to ${memoryGibPerVcpu * 1024} or more, or lower memoryGibPerVcpu.`,
    );
  }
  const perExecutionEnvironmentMaxConcurrency = optionalNumber(
    raw,
    "perExecutionEnvironmentMaxConcurrency",
    CAPACITY_PROVIDER_LIMITS.perExecutionEnvironmentMaxConcurrency,
    true,
    fail,
  );
  const vCpus = memoryGibPerVcpu === undefined ? undefined : Math.floor(memorySize / 1024 / memoryGibPerVcpu);
  const common = { perExecutionEnvironmentMaxConcurrency, memoryGibPerVcpu, vCpus };

  const arn = raw["arn"];
  const creating = ["subnetIds", "securityGroupIds", "instanceTypes", "maxVCpuCount"].filter(
    (key) => raw[key] !== undefined,
  );
  if (arn !== undefined && arn !== null) {
    if (creating.length > 0) {
      fail(
        "capacityProvider.arn",
        `capacityProvider.arn places the function on an existing capacity provider, while ${creating.join(", ")} ` +
          "describe one the component creates. Choose one: remove arn, or remove " +
          `${creating.length === 1 ? "it" : "them"}.`,
      );
    }
    if (typeof arn === "string" && !CAPACITY_PROVIDER_ARN.test(arn)) {
      fail(
        "capacityProvider.arn",
        `capacityProvider.arn ${JSON.stringify(arn)} is not a capacity provider ARN: write ` +
          "arn:aws:lambda:REGION:ACCOUNT:capacity-provider:NAME.",
      );
    }
    return { arn: arn as pulumi.Input<string>, create: undefined, ...common };
  }
  if (raw["subnetIds"] === undefined) {
    return fail(
      "capacityProvider",
      "capacityProvider needs arn (an existing capacity provider) or subnetIds and securityGroupIds (for one the " +
        "component creates in those subnets).",
    );
  }
  const subnetIds = idList(raw, "subnetIds", SUBNET_ID, '"subnet-0123abcd"', fail);
  if (raw["securityGroupIds"] === undefined) {
    fail(
      "capacityProvider.securityGroupIds",
      "capacityProvider.securityGroupIds is required with subnetIds: the security groups of the capacity " +
        "provider's instances.",
    );
  }
  const securityGroupIds = idList(raw, "securityGroupIds", SECURITY_GROUP_ID, '"sg-0123abcd"', fail);
  const instanceTypes = resolveInstanceTypes(raw["instanceTypes"], architecture, fail);
  const maxVCpuCount = optionalNumber(raw, "maxVCpuCount", CAPACITY_PROVIDER_LIMITS.maxVCpuCount, true, fail);
  return { arn: undefined, create: { subnetIds, securityGroupIds, instanceTypes, maxVCpuCount }, ...common };
}

/** Whether an instance type is a Graviton (arm64) type, from its family (see {@link GRAVITON_FAMILY}). */
export function isGravitonInstanceType(instanceType: string): boolean {
  return GRAVITON_FAMILY.test(instanceType.split(".")[0] ?? "");
}

function resolveInstanceTypes(raw: unknown, architecture: Architecture, fail: Fail): string[] | undefined {
  const argument = "capacityProvider.instanceTypes";
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > CAPACITY_PROVIDER_LIMITS.instanceTypes.max) {
    return fail(
      argument,
      `${argument} must list 1 to ${CAPACITY_PROVIDER_LIMITS.instanceTypes.max} EC2 instance types, e.g. ` +
        '["m7g.large"], or be left unset for Lambda to choose.',
    );
  }
  const seen = new Set<string>();
  raw.forEach((type: unknown, index) => {
    if (typeof type !== "string" || type.length > 30 || !INSTANCE_TYPE.test(type)) {
      fail(
        argument,
        `${argument}[${index}] ${JSON.stringify(type)} is not an EC2 instance type like "m7g.large".`,
      );
    }
    if (seen.has(type as string))
      fail(argument, `${argument} lists ${JSON.stringify(type)} twice. Remove one.`);
    seen.add(type as string);
    const graviton = isGravitonInstanceType(type as string);
    if (graviton !== (architecture === Architecture.Arm64)) {
      fail(
        argument,
        `${argument}[${index}] ${JSON.stringify(type)} is ${graviton ? "a Graviton (arm64)" : "an x86_64"} type, ` +
          `but the function's architecture is ${JSON.stringify(architecture)}: a capacity provider runs one ` +
          `architecture. Use ${graviton ? "x86_64 types (m7i, c7a, ...)" : "Graviton types (m7g, c8g, ...)"}, or ` +
          `set architecture to ${JSON.stringify(graviton ? Architecture.Arm64 : Architecture.X86_64)}.`,
      );
    }
  });
  return [...(raw as string[])];
}

function idList(
  raw: Readonly<Record<string, unknown>>,
  key: "subnetIds" | "securityGroupIds",
  pattern: RegExp,
  example: string,
  fail: Fail,
): readonly pulumi.Input<string>[] | pulumi.Output<unknown> {
  const argument = `capacityProvider.${key}`;
  const list = raw[key];
  // Another language may hand the whole list as one output: AWS checks it then.
  if (pulumi.Output.isInstance(list)) return list;
  if (!Array.isArray(list) || list.length === 0) {
    return fail(argument, `${argument} must list at least one id, e.g. [${example}].`);
  }
  list.forEach((id: unknown, index) => {
    if (typeof id === "string" && !pattern.test(id)) {
      fail(argument, `${argument}[${index}] ${JSON.stringify(id)} is not an id like ${example}.`);
    }
  });
  return [...(list as pulumi.Input<string>[])];
}

function optionalNumber(
  raw: Readonly<Record<string, unknown>>,
  key: string,
  range: { readonly min: number; readonly max: number },
  whole: boolean,
  fail: Fail,
): number | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  const valid = whole
    ? isIntegerIn(value, range.min, range.max)
    : typeof value === "number" && Number.isFinite(value) && value >= range.min && value <= range.max;
  if (!valid) {
    fail(
      `capacityProvider.${key}`,
      `capacityProvider.${key} must be ${whole ? "a whole number" : "a number"} from ${range.min} to ${range.max}, ` +
        `Lambda's range (got ${String(value)}).`,
    );
  }
  return value as number;
}
