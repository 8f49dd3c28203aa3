// The domain argument, checked: a host name, an ACM certificate, an optional base path and Route 53 zone.
import type * as pulumi from "@pulumi/pulumi";
import { isPlainObject, type Fail } from "./checks";
import { EndpointType } from "./enums";

/** The domain argument, checked. */
export interface ResolvedDomain {
  /** The host name, in lower case. */
  readonly name: string;
  readonly certificateArn: pulumi.Input<string>;
  /** The base path without leading or trailing `/`; empty for the domain's root. */
  readonly basePath: string;
  readonly hostedZoneId: pulumi.Input<string> | undefined;
}

/** DNS limits a host name must keep: 63 characters per label, 253 in all. */
const MAX_HOST_NAME_LENGTH = 253;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** What API Gateway allows in a base path segment. */
const BASE_PATH_SEGMENT = /^[A-Za-z0-9$\-_.+!*'()]+$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const HOSTED_ZONE_ID = /^[A-Z0-9]{1,32}$/;

/**
 * Checks the domain argument: a host name (lower case, no scheme, port, path or wildcard), a certificate
 * ARN, a base path of API Gateway's characters, a hosted zone id. The component creates a REGIONAL domain,
 * so the API must be REGIONAL too.
 * @returns The domain, or `undefined` without one.
 */
export function resolveDomain(
  raw: unknown,
  endpointType: EndpointType,
  fail: Fail,
): ResolvedDomain | undefined {
  if (raw === undefined) return undefined;
  if (!isPlainObject(raw)) {
    return fail(
      "domain",
      'domain must be an object: { name: "api.example.com", certificateArn, basePath?, hostedZoneId? }.',
    );
  }
  if (endpointType !== EndpointType.Regional) {
    fail(
      "domain",
      `domain creates a REGIONAL custom domain, but endpointType is ${JSON.stringify(endpointType)}. Use ` +
        'endpointType "REGIONAL" (streams may idle 5 minutes there, 30 s on EDGE).',
    );
  }
  const name = raw["name"];
  const problem = hostNameProblem(name);
  if (problem !== undefined) fail("domain.name", `domain.name ${JSON.stringify(name)} ${problem}`);
  const certificateArn = raw["certificateArn"];
  if (certificateArn === undefined || certificateArn === null || certificateArn === "") {
    fail(
      "domain.certificateArn",
      "domain.certificateArn must be the ARN of an ACM certificate for the name.",
    );
  }
  if (typeof certificateArn === "string" && !CERTIFICATE_ARN.test(certificateArn)) {
    fail(
      "domain.certificateArn",
      `domain.certificateArn ${JSON.stringify(certificateArn)} is not an ACM certificate ARN: write ` +
        "arn:aws:acm:REGION:ACCOUNT:certificate/ID, a certificate in the stack's region.",
    );
  }
  const basePath = resolveBasePath(raw["basePath"], fail);
  const hostedZoneId = raw["hostedZoneId"];
  if (typeof hostedZoneId === "string" && !HOSTED_ZONE_ID.test(hostedZoneId)) {
    fail(
      "domain.hostedZoneId",
      `domain.hostedZoneId ${JSON.stringify(hostedZoneId)} is not a Route 53 hosted zone id: write the id alone, ` +
        'e.g. "Z0123456789ABCDEFGHIJ" (without "/hostedzone/").',
    );
  }
  return {
    name: name as string,
    certificateArn: certificateArn as pulumi.Input<string>,
    basePath,
    hostedZoneId: hostedZoneId === null ? undefined : (hostedZoneId as pulumi.Input<string> | undefined),
  };
}

/** Why `name` is not a host name the component can serve, as the end of a sentence, or `undefined`. */
export function hostNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string" || name === "") return 'must be a host name like "api.example.com".';
  if (name.includes("://") || name.includes("/") || name.includes(":")) {
    return 'must be the host name alone, without scheme, port or path (e.g. "api.example.com").';
  }
  if (name.startsWith("*")) {
    return "is a wildcard: the component maps one host name, and its url must be one. Name one host.";
  }
  if (name !== name.toLowerCase()) return "has upper-case letters: write the host name in lower case.";
  if (name.length > MAX_HOST_NAME_LENGTH)
    return `is longer than DNS allows (${MAX_HOST_NAME_LENGTH} characters).`;
  const labels = name.split(".");
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label)) || /^\d+$/.test(labels.at(-1) ?? "")) {
    return (
      'is not a host name: write dot-separated labels of letters, digits and "-" (not at either end), like ' +
      '"api.example.com", with no trailing dot.'
    );
  }
  return undefined;
}

function resolveBasePath(raw: unknown, fail: Fail): string {
  if (raw === undefined || raw === null) return "";
  if (typeof raw !== "string") {
    return fail("domain.basePath", `domain.basePath must be a string like "v1" (got ${typeof raw}).`);
  }
  const basePath = raw.replace(/^\/+/, "").replace(/\/+$/, "");
  if (basePath === "") return "";
  for (const segment of basePath.split("/")) {
    if (!BASE_PATH_SEGMENT.test(segment)) {
      fail(
        "domain.basePath",
        `domain.basePath ${JSON.stringify(raw)} has an invalid segment ${JSON.stringify(segment)}: use letters, ` +
          'digits and $-_.+!*\'() between single slashes, e.g. "v1" or "reports/v1".',
      );
    }
  }
  return basePath;
}
