// Child resource names: every child is `<component name>-<suffix>`, so two components never collide.
import type { StreamingRestApiTransforms } from "./childTransforms";

/**
 * The suffix of each child's logical name, by the transform key that overrides it: one entry per child, so
 * every child has a transform. Pulumi auto-names the physical resources from these
 * (`<component name>-<suffix>-<7 random hex>`), so the names below also bound the component name's length.
 * Path resources are numbered: `<component name>-path-<index>`.
 */
export const ChildSuffix = {
  logGroup: "logs",
  role: "role",
  rolePolicy: "role-policy",
  function: "fn",
  invokeRole: "invoke-role",
  invokeRolePolicy: "invoke-policy",
  restApi: "api",
  pathResource: "path",
  method: "method",
  integration: "integration",
  deployment: "deployment",
  stage: "stage",
  methodSettings: "throttling",
  accessLogGroup: "access-logs",
  webAclAssociation: "waf",
  corsMethod: "cors-method",
  corsIntegration: "cors-integration",
  corsMethodResponse: "cors-method-response",
  corsIntegrationResponse: "cors-integration-response",
  default4xxResponse: "cors-4xx",
  default5xxResponse: "cors-5xx",
  authorizer: "authorizer",
  authorizerPermission: "authorizer-permission",
  domainName: "domain",
  basePathMapping: "base-path",
  dnsRecordA: "dns-a",
  dnsRecordAaaa: "dns-aaaa",
  capacityProvider: "lmi",
  capacityProviderRole: "lmi-role",
  capacityProviderRolePolicy: "lmi-role-policy",
} as const satisfies Record<keyof StreamingRestApiTransforms, string>;

/** A child of the component, named by the key of its transform. */
export type ChildKey = keyof typeof ChildSuffix;

/**
 * The logical name of a child: `<component name>-<suffix>`, and `-<index>` after it for numbered children
 * (the path resources, 0 for the first segment).
 */
export function childName(componentName: string, key: ChildKey, index?: number): string {
  const name = `${componentName}-${ChildSuffix[key]}`;
  return index === undefined ? name : `${name}-${index}`;
}

/** Pulumi's auto-naming appends `-` and 7 random hex characters to a logical name. */
const AUTONAME_SUFFIX_LENGTH = 8;

/** IAM role names and Lambda function names are limited to 64 characters. */
const PHYSICAL_NAME_LIMIT = 64;

/** The longest suffix among the children whose physical names have the 64-character limit. */
const LONGEST_LIMITED_SUFFIX = Math.max(
  ChildSuffix.role.length,
  ChildSuffix.invokeRole.length,
  ChildSuffix.function.length,
  ChildSuffix.capacityProviderRole.length,
);

/** The longest component name whose auto-named IAM roles and Lambda function fit in 64 characters. */
export const MAX_COMPONENT_NAME_LENGTH =
  PHYSICAL_NAME_LIMIT - AUTONAME_SUFFIX_LENGTH - LONGEST_LIMITED_SUFFIX - 1;

/** Characters allowed in Lambda function names and IAM role names alike (and in `.build/<name>/`). */
const COMPONENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/**
 * Why `name` cannot name a StreamingRestApi, or `undefined` when it can: the physical names derived from it
 * must be valid Lambda function and IAM role names.
 */
export function componentNameProblem(name: string): string | undefined {
  if (!COMPONENT_NAME_PATTERN.test(name)) {
    return `must start with a letter or digit and contain only letters, digits, "-" and "_" (got ${JSON.stringify(name)})`;
  }
  if (name.length > MAX_COMPONENT_NAME_LENGTH) {
    return (
      `must be at most ${MAX_COMPONENT_NAME_LENGTH} characters so that the IAM role and Lambda function names ` +
      `derived from it fit in 64 (got ${name.length})`
    );
  }
  return undefined;
}
