// Policy: a route without authorization (`authorization: NONE`) only where the policy config allows it.
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { AwsType, type MethodProps } from "../lib/resourceTypes";
import {
  ComponentChild,
  SCOPE_CONFIG,
  applicableProps,
  componentNameOf,
  isComponentChild,
  scopeOf,
} from "../lib/scope";

/**
 * Authorization types that authenticate callers: SigV4-signed IAM principals, Cognito user pool tokens, and
 * Lambda (custom) authorizers. Anything else (`NONE`) lets anyone who knows the URL in.
 */
export const AUTHENTICATED_AUTHORIZATIONS: readonly string[] = ["AWS_IAM", "COGNITO_USER_POOLS", "CUSTOM"];

/** This policy's configuration. */
export interface PublicRoutesConfig {
  readonly scope?: string;
  /** Every route in the stack may be public. */
  readonly allowPublicRoutes?: boolean;
  /** Names of the StreamingRestApi components whose routes may be public. */
  readonly publicComponents?: readonly string[];
}

export const publicRoutes: ResourceValidationPolicy = {
  name: "streaming-public-routes",
  description:
    "API methods require authorization (AWS_IAM, a Cognito user pools or a Lambda authorizer); " +
    '"NONE" only for components listed in publicComponents (or everywhere with allowPublicRoutes), and for ' +
    "a StreamingRestApi's CORS preflight (OPTIONS, answered by a MOCK integration).",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      ...SCOPE_CONFIG,
      allowPublicRoutes: {
        type: "boolean",
        default: false,
        description: 'Allow authorization "NONE" on every route in the stack.',
      },
      publicComponents: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: 'Names of StreamingRestApi components whose routes may use authorization "NONE".',
      },
    },
  },
  remediationSteps:
    'Keep the default authorization "AWS_IAM" (callers sign with SigV4), use "COGNITO_USER_POOLS" with ' +
    '`cognito` or "CUSTOM" with `authorizer`, or allow this component in the policy config: ' +
    '`{"streaming-public-routes": {"publicComponents": ["<name>"]}}`.',
  validateResource: validatePublicRoute,
};

function validatePublicRoute(args: ResourceValidationArgs, reportViolation: ReportViolation): void {
  const config = args.getConfig<PublicRoutesConfig>();
  const method = applicableProps<MethodProps>(args, AwsType.method, scopeOf(config));
  if (
    AUTHENTICATED_AUTHORIZATIONS.includes(method.authorization ?? "") ||
    config.allowPublicRoutes === true
  ) {
    return;
  }
  // A preflight carries no credentials by definition; the component's reaches nothing but its MOCK
  // integration (streaming-integration checks that integration).
  if (method.httpMethod === "OPTIONS" && isComponentChild(args, ComponentChild.corsMethod)) return;
  const component = componentNameOf(args.urn, args.opts.parent);
  if (component !== undefined && (config.publicComponents ?? []).includes(component)) return;
  const verb = method.httpMethod === undefined ? "" : `${method.httpMethod} `;
  const owner = component === undefined ? "" : ` of StreamingRestApi "${component}"`;
  reportViolation(
    `The ${verb}method${owner} has authorization ${JSON.stringify(method.authorization ?? "NONE")}: anyone who ` +
      'knows the URL can invoke the function. Use authorization "AWS_IAM", "COGNITO_USER_POOLS" or "CUSTOM", ' +
      `or allow it with the policy config publicComponents${component === undefined ? "" : ` ["${component}"]`} ` +
      "or allowPublicRoutes: true.",
  );
}
