// Policy: every log group expires its logs, and functions log to a group the stack manages.
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { AwsType, type FunctionProps, type LogGroupProps } from "../lib/resourceTypes";
import { SCOPE_CONFIG, inScope, scopeOf } from "../lib/scope";

/** This policy's configuration. */
export interface LogRetentionConfig {
  readonly scope?: string;
  /** The shortest retention accepted, in days. */
  readonly minimumDays?: number;
}

export const logRetention: ResourceValidationPolicy = {
  name: "streaming-log-retention",
  description:
    "Log groups set a retention period, and Lambda functions log to an explicit log group (not one Lambda " +
    "creates on first write, which never expires).",
  enforcementLevel: "mandatory",
  severity: "medium",
  configSchema: {
    properties: {
      ...SCOPE_CONFIG,
      minimumDays: {
        type: "integer",
        minimum: 1,
        default: 1,
        description: "The shortest retention accepted, in days (e.g. 365 where audits require a year).",
      },
    },
  },
  remediationSteps:
    "Set `logRetentionInDays` (and `accessLogging.retentionInDays`) on the component; for your own log groups " +
    "set `retentionInDays`, and give functions `loggingConfig.logGroup`.",
  validateResource: validateLogRetention,
};

function validateLogRetention(args: ResourceValidationArgs, reportViolation: ReportViolation): void {
  if (args.type !== AwsType.logGroup && args.type !== AwsType.function) {
    args.notApplicable("applies to log groups and Lambda functions only");
  }
  const config = args.getConfig<LogRetentionConfig>();
  if (!inScope(args.urn, scopeOf(config))) {
    args.notApplicable(`${args.urn} is not part of a StreamingRestApi`);
  }
  if (args.type === AwsType.logGroup) {
    const group = args.props as LogGroupProps;
    const minimumDays = config.minimumDays ?? 1;
    const days = group.retentionInDays;
    const name = group.name ?? (group.namePrefix === undefined ? "" : `${group.namePrefix}*`);
    if (days === undefined || days === 0) {
      reportViolation(
        `Log group ${name} keeps its logs forever (no retentionInDays). Set a retention period.`,
      );
    } else if (days < minimumDays) {
      reportViolation(
        `Log group ${name} keeps logs for ${days} days; the policy asks for at least ${minimumDays}.`,
      );
    }
    return;
  }
  const logGroup = (args.props as FunctionProps).loggingConfig?.logGroup;
  if (logGroup === undefined || logGroup === "") {
    reportViolation(
      "The function sets no loggingConfig.logGroup: Lambda writes to /aws/lambda/<function name>, a group it " +
        "creates without retention. Create a log group with a retention and name it in loggingConfig.logGroup.",
    );
  }
}
