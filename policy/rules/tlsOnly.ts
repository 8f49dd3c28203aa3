// Policy: clients reach the API over TLS 1.2 or later only (REST API and custom domain security policies).
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { AwsType, type DomainNameProps, type RestApiProps } from "../lib/resourceTypes";
import { SCOPE_CONFIG, inScope, scopeOf } from "../lib/scope";

/** This policy's configuration. */
export interface TlsOnlyConfig {
  readonly scope?: string;
  /** When set, only these security policies are accepted. */
  readonly allowedSecurityPolicies?: readonly string[];
}

/** The legacy policy that still accepts TLS 1.0 and 1.1: API Gateway's default for REGIONAL and EDGE APIs. */
const LEGACY_TLS_1_0 = "TLS_1_0";
/** Enhanced policies (`SecurityPolicy_TLS13_...`, `SecurityPolicy_TLS12_..._EDGE`) all start at TLS 1.2. */
const ENHANCED_POLICY = /^SecurityPolicy_TLS1[23]_/;

/** Whether a security policy refuses TLS 1.0 and 1.1, by the policy's config or by default. */
export function isTls12OrLater(securityPolicy: string, allowed?: readonly string[]): boolean {
  if (allowed !== undefined) return allowed.includes(securityPolicy);
  return securityPolicy === "TLS_1_2" || ENHANCED_POLICY.test(securityPolicy);
}

export const tlsOnly: ResourceValidationPolicy = {
  name: "streaming-tls-only",
  description:
    "REST APIs set a security policy of TLS 1.2 or later for their execute-api endpoint (API Gateway's " +
    "default for REGIONAL and EDGE is TLS_1_0), or disable that endpoint; custom domains do not use TLS_1_0.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      ...SCOPE_CONFIG,
      allowedSecurityPolicies: {
        type: "array",
        items: { type: "string" },
        description:
          'Accept only these security policies (e.g. ["SecurityPolicy_TLS13_1_3_2025_09"]). Unset: TLS_1_2 ' +
          "and every enhanced SecurityPolicy_* policy.",
      },
    },
  },
  remediationSteps:
    'Set `securityPolicy: "TLS_1_2"` on the REST API (the component\'s `transform.restApi` can), or an ' +
    'enhanced policy with `endpointAccessMode: "STRICT"`; or set `disableExecuteApiEndpoint: true` and serve ' +
    "through a custom domain with a TLS 1.2 policy.",
  validateResource: validateTls,
};

function validateTls(args: ResourceValidationArgs, reportViolation: ReportViolation): void {
  if (args.type !== AwsType.restApi && args.type !== AwsType.domainName) {
    args.notApplicable("applies to REST APIs and custom domain names only");
  }
  const config = args.getConfig<TlsOnlyConfig>();
  if (!inScope(args.urn, scopeOf(config))) {
    args.notApplicable(`${args.urn} is not part of a StreamingRestApi`);
  }
  const allowed = config.allowedSecurityPolicies;
  if (args.type === AwsType.restApi) {
    const api = args.props as RestApiProps;
    if (api.disableExecuteApiEndpoint === true) return;
    const policy = api.securityPolicy;
    if (policy === undefined || policy === "") {
      reportViolation(
        "The REST API sets no securityPolicy, so its execute-api endpoint accepts TLS 1.0 (API Gateway's " +
          'default for REGIONAL and EDGE APIs). Set securityPolicy "TLS_1_2" or an enhanced SecurityPolicy_*.',
      );
    } else if (!isTls12OrLater(policy, allowed)) {
      reportViolation(`The REST API's securityPolicy ${policy} is not allowed: ${expectation(allowed)}.`);
    } else if (policy.startsWith("SecurityPolicy_") && (api.endpointAccessMode ?? "") === "") {
      reportViolation(
        `The REST API's enhanced securityPolicy ${policy} needs endpointAccessMode ("STRICT" recommended).`,
      );
    }
    return;
  }
  const domain = args.props as DomainNameProps;
  // API Gateway gives new custom domains TLS_1_2 when no policy is set.
  const policy = domain.securityPolicy ?? "TLS_1_2";
  if (policy === LEGACY_TLS_1_0 || !isTls12OrLater(policy, allowed)) {
    reportViolation(
      `Custom domain ${domain.domainName ?? ""} uses securityPolicy ${policy}: ${expectation(allowed)}.`,
    );
  }
}

function expectation(allowed: readonly string[] | undefined): string {
  return allowed === undefined
    ? 'use "TLS_1_2" or an enhanced SecurityPolicy_* (TLS 1.2 or later)'
    : `use one of ${allowed.join(", ")}`;
}
