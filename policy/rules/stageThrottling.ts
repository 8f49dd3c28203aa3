// Policy: every stage throttles all of its methods (`*/*` method settings with rate and burst limits).
import {
  UnknownValueError,
  type PolicyResource,
  type ReportViolation,
  type StackValidationArgs,
  type StackValidationPolicy,
} from "@pulumi/policy";
import { AwsType, type MethodSettingsProps, type StageProps } from "../lib/resourceTypes";
import { SCOPE_CONFIG, resourcesOfType, scopeOf } from "../lib/scope";

/** This policy's configuration. */
export interface StageThrottlingConfig {
  readonly scope?: string;
  /** The highest steady-state rate accepted, in requests per second. */
  readonly maximumRateLimit?: number;
  /** The highest burst accepted, in requests. */
  readonly maximumBurstLimit?: number;
}

/** The method path that covers every resource and method of a stage. */
const ALL_METHODS = "*/*";

export const stageThrottling: StackValidationPolicy = {
  name: "streaming-stage-throttling",
  description:
    'Every API Gateway stage has "*/*" method settings with a throttling rate and burst limit ' +
    "(API Gateway's -1 or unset means the account-wide limit only).",
  enforcementLevel: "mandatory",
  severity: "medium",
  configSchema: {
    properties: {
      ...SCOPE_CONFIG,
      maximumRateLimit: {
        type: "number",
        minimum: 0,
        description: "The highest steady-state rate accepted, in requests per second (no cap if unset).",
      },
      maximumBurstLimit: {
        type: "integer",
        minimum: 0,
        description: "The highest burst accepted, in requests (no cap if unset).",
      },
    },
  },
  remediationSteps:
    "Keep the component's `throttle` (default 50 requests/s, burst 100); for your own stages add an " +
    '`aws.apigateway.MethodSettings` with methodPath "*/*" and throttling limits.',
  validateStack: validateStageThrottling,
};

function validateStageThrottling(args: StackValidationArgs, reportViolation: ReportViolation): void {
  const config = args.getConfig<StageThrottlingConfig>();
  const scope = scopeOf(config);
  const stages = resourcesOfType(args.resources, AwsType.stage, scope);
  if (stages.length === 0) args.notApplicable("the stack has no API Gateway stage in scope");
  const allMethodSettings = args.resources.filter(
    (resource) =>
      resource.type === AwsType.methodSettings &&
      known(() => (resource.props as MethodSettingsProps).methodPath) === ALL_METHODS,
  );
  for (const stage of stages) {
    const forStage = allMethodSettings.filter((candidate) => appliesTo(candidate, stage));
    const stageName = known(() => (stage.props as StageProps).stageName) ?? stage.name;
    if (forStage.length === 0) {
      reportViolation(
        `Stage "${stageName}" has no "${ALL_METHODS}" method settings, so it is not throttled beyond the ` +
          "account-wide limit. Add throttling (the component's `throttle` argument does).",
        stage.urn,
      );
      continue;
    }
    for (const candidate of forStage) checkLimits(candidate, stageName, config, reportViolation);
  }
}

function checkLimits(
  methodSettings: PolicyResource,
  stageName: string,
  config: StageThrottlingConfig,
  reportViolation: ReportViolation,
): void {
  const settings = (methodSettings.props as MethodSettingsProps).settings ?? {};
  const limits = [
    ["throttlingRateLimit", settings.throttlingRateLimit, config.maximumRateLimit],
    ["throttlingBurstLimit", settings.throttlingBurstLimit, config.maximumBurstLimit],
  ] as const;
  for (const [field, value, maximum] of limits) {
    if (value === undefined || value < 0) {
      reportViolation(
        `Stage "${stageName}": ${field} is ${value === undefined ? "unset" : String(value)}, which turns ` +
          "throttling off. Set a limit of 0 or more.",
        methodSettings.urn,
      );
    } else if (maximum !== undefined && value > maximum) {
      reportViolation(
        `Stage "${stageName}": ${field} is ${value}, above the policy's maximum of ${maximum}.`,
        methodSettings.urn,
      );
    }
  }
}

/**
 * Whether method settings belong to a stage: they depend on it (as the component's do, through the stage
 * name), or name the same REST API and stage.
 */
function appliesTo(methodSettings: PolicyResource, stage: PolicyResource): boolean {
  if (methodSettings.dependencies.some((dependency) => dependency.urn === stage.urn)) return true;
  const settings = methodSettings.props as MethodSettingsProps;
  const stageProps = stage.props as StageProps;
  const restApi = known(() => settings.restApi);
  const stageName = known(() => settings.stageName);
  return (
    restApi !== undefined &&
    stageName !== undefined &&
    restApi === known(() => stageProps.restApi) &&
    stageName === known(() => stageProps.stageName)
  );
}

/** A property's value, or `undefined` while it is unknown (during a preview, before the resource exists). */
function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof UnknownValueError) return undefined;
    throw error;
  }
}
