// Policy: the component's IAM roles grant named actions on named resources, and trust named principals.
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { parsePolicyDocument, principalIsAnyone } from "../lib/iamDocument";
import { actionHasWildcard, resourceWildcardProblem } from "../lib/iamWildcards";
import {
  AwsType,
  type PolicyDocumentProps,
  type RoleProps,
  type RolePolicyAttachmentProps,
} from "../lib/resourceTypes";
import { SCOPE_CONFIG, inScope, scopeOf } from "../lib/scope";

/**
 * Actions AWS authorizes only on `Resource: "*"`, or on resources that do not exist yet when the policy is
 * written, which the component grants when `tracing` or `vpcConfig` is set. They are the actions of AWS's
 * own `AWSXRayDaemonWriteAccess` (write part) and `AWSLambdaVPCAccessExecutionRole` policies: X-Ray has no
 * resource types for them, and the network interfaces Lambda creates in your subnets get IDs at run time.
 */
export const DEFAULT_WILDCARD_RESOURCE_ACTIONS: readonly string[] = [
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "ec2:CreateNetworkInterface",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSubnets",
  "ec2:DeleteNetworkInterface",
  "ec2:AssignPrivateIpAddresses",
  "ec2:UnassignPrivateIpAddresses",
];

/**
 * AWS managed policies roles may attach by default: `AWSLambdaManagedEC2ResourceOperator`, which AWS
 * documents as the minimum of a Lambda Managed Instances operator role (the component attaches it to the
 * operator role of a capacity provider it creates). Its EC2 write actions are conditioned on
 * `ec2:ManagedResourceOperator` being Lambda's scaler; AWS maintains it as Managed Instances evolve.
 */
export const DEFAULT_ALLOWED_MANAGED_POLICY_ARNS: readonly string[] = [
  "arn:aws:iam::aws:policy/AWSLambdaManagedEC2ResourceOperator",
];

/** This policy's configuration. */
export interface IamNoWildcardsConfig {
  readonly scope?: string;
  /** Actions that may be granted on `Resource: "*"`. */
  readonly wildcardResourceActions?: readonly string[];
  /** AWS managed policies (their contents are not visible here) that roles may attach. */
  readonly allowedManagedPolicyArns?: readonly string[];
}

/** AWS managed policies live under the `aws` account: `arn:aws:iam::aws:policy/...`. */
const AWS_MANAGED_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\//;

export const iamNoWildcards: ResourceValidationPolicy = {
  name: "streaming-iam-no-wildcards",
  description:
    'IAM roles grant no wildcard actions, no "*" or wildcard-named resources, and trust no "*" principal.',
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      ...SCOPE_CONFIG,
      wildcardResourceActions: {
        type: "array",
        items: { type: "string" },
        default: [...DEFAULT_WILDCARD_RESOURCE_ACTIONS],
        description:
          'Actions that may be granted on Resource "*" because AWS offers no narrower resource for them.',
      },
      allowedManagedPolicyArns: {
        type: "array",
        items: { type: "string" },
        default: [...DEFAULT_ALLOWED_MANAGED_POLICY_ARNS],
        description:
          "AWS managed policies that roles may attach (their statements cannot be checked). The default allows " +
          "the Lambda Managed Instances operator policy, AWSLambdaManagedEC2ResourceOperator.",
      },
    },
  },
  remediationSteps:
    "Name each action and each resource ARN. The component's own roles comply; look for statements added " +
    "through `transform.role`, `transform.invokeRole` or inline policies.",
  validateResource: validateIamResource,
};

/** The resource types that carry IAM policy documents or attach policies to roles. */
const IAM_TYPES: ReadonlySet<string> = new Set([
  AwsType.role,
  AwsType.rolePolicy,
  AwsType.policy,
  AwsType.rolePolicyAttachment,
]);

function validateIamResource(args: ResourceValidationArgs, reportViolation: ReportViolation): void {
  if (!IAM_TYPES.has(args.type)) {
    args.notApplicable("applies to IAM roles, role policies, policies and policy attachments only");
  }
  const config = args.getConfig<IamNoWildcardsConfig>();
  if (!inScope(args.urn, scopeOf(config))) {
    args.notApplicable(`${args.urn} is not part of a StreamingRestApi`);
  }
  const check = new DocumentChecker(config, reportViolation);
  switch (args.type) {
    case AwsType.role: {
      const role = args.props as RoleProps;
      check.document("assumeRolePolicy", role.assumeRolePolicy);
      for (const [index, inline] of (role.inlinePolicies ?? []).entries()) {
        check.document(`inlinePolicies[${inline.name ?? index}]`, inline.policy);
      }
      for (const arn of role.managedPolicyArns ?? []) check.managedPolicy("managedPolicyArns", arn);
      return;
    }
    case AwsType.rolePolicy:
    case AwsType.policy:
      check.document("policy", (args.props as PolicyDocumentProps).policy);
      return;
    case AwsType.rolePolicyAttachment: {
      const arn = (args.props as RolePolicyAttachmentProps).policyArn;
      if (arn !== undefined) check.managedPolicy("policyArn", arn);
      return;
    }
  }
}

/** Checks documents and attachments against one configuration, reporting each problem found. */
class DocumentChecker {
  readonly #wildcardResourceActions: ReadonlySet<string>;
  readonly #allowedManagedPolicyArns: ReadonlySet<string>;
  readonly #report: ReportViolation;

  constructor(config: IamNoWildcardsConfig, report: ReportViolation) {
    this.#report = report;
    const actions = config.wildcardResourceActions ?? DEFAULT_WILDCARD_RESOURCE_ACTIONS;
    this.#wildcardResourceActions = new Set(actions.map((action) => action.toLowerCase()));
    this.#allowedManagedPolicyArns = new Set(
      config.allowedManagedPolicyArns ?? DEFAULT_ALLOWED_MANAGED_POLICY_ARNS,
    );
  }

  document(field: string, document: unknown): void {
    if (document === undefined || document === null || document === "") return;
    const parsed = parsePolicyDocument(document);
    if (!parsed.ok) {
      this.#report(`${field} ${parsed.error}.`);
      return;
    }
    for (const statement of parsed.statements) {
      if (statement.deny) continue;
      const where = `${field} statement ${statement.label}`;
      if (statement.notAction) {
        this.#report(`${where} uses NotAction, which allows every other action. List the actions it needs.`);
      }
      if (statement.notResource) {
        this.#report(
          `${where} uses NotResource, which applies to every other resource. List the resources it needs.`,
        );
      }
      if (principalIsAnyone(statement.principal)) {
        this.#report(`${where} lets any principal ("*") assume the role. Name the service or account.`);
      }
      for (const action of statement.actions.filter(actionHasWildcard)) {
        this.#report(`${where} allows the wildcard action "${action}". List the actions it needs by name.`);
      }
      this.#resources(where, statement.actions, statement.resources);
    }
  }

  managedPolicy(field: string, arn: string): void {
    if (AWS_MANAGED_POLICY.test(arn) && !this.#allowedManagedPolicyArns.has(arn)) {
      this.#report(
        `${field} attaches the AWS managed policy ${arn}, whose statements this policy cannot check (most ` +
          'grant Resource "*"). Write a policy naming your resources, or add the ARN to allowedManagedPolicyArns.',
      );
    }
  }

  #resources(where: string, actions: readonly string[], resources: readonly string[]): void {
    const onlyUnscopedActions =
      actions.length > 0 &&
      actions.every((action) => this.#wildcardResourceActions.has(action.toLowerCase()));
    for (const resource of resources) {
      if (resource === "*" && onlyUnscopedActions) continue;
      const problem = resourceWildcardProblem(resource);
      if (problem === undefined) continue;
      this.#report(
        `${where} allows ${actions.join(", ") || "its actions"} on "${resource}", which ${problem}. ` +
          "Name the resource's ARN (a trailing wildcard after the name is fine, e.g. `<log group ARN>:*`).",
      );
    }
  }
}
