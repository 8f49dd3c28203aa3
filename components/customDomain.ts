// The custom domain: a REGIONAL, dual-stack DomainName with TLS 1.2, its base path mapping and Route 53 aliases.
import * as apigateway from "@pulumi/aws/apigateway";
import * as route53 from "@pulumi/aws/route53";
import * as pulumi from "@pulumi/pulumi";
import { child, type ChildScope } from "./children";
import type { ResolvedDomain } from "./domainSettings";

/**
 * The domain's security policy. `TLS_1_2` refuses TLS 1.0 and 1.1 and needs nothing else; the newer
 * `SecurityPolicy_TLS13_*` policies (in @pulumi/aws 7.48) also need `endpointAccessMode`, and drop clients
 * without TLS 1.3: choose one with `transform.domainName` when your clients allow it.
 */
export const DOMAIN_SECURITY_POLICY = "TLS_1_2";

/** What {@link createCustomDomain} created, and the URL base it serves the route at. */
export interface CustomDomainChildren {
  readonly domainName: apigateway.DomainName;
  readonly basePathMapping: apigateway.BasePathMapping;
  /** `https://NAME/` or `https://NAME/BASE_PATH/`, known once the mapping exists. */
  readonly baseUrl: pulumi.Output<string>;
}

/**
 * The custom domain serving the stage: a REGIONAL domain (dual-stack, as AWS recommends, so the AAAA alias
 * resolves), the stage mapped at `basePath`, and with `hostedZoneId` alias A and AAAA records.
 */
export function createCustomDomain(
  scope: ChildScope,
  domain: ResolvedDomain,
  restApi: apigateway.RestApi,
  stage: apigateway.Stage,
): CustomDomainChildren {
  const domainName = child(scope, "domainName", apigateway.DomainName, {
    domainName: domain.name,
    regionalCertificateArn: domain.certificateArn,
    endpointConfiguration: { types: "REGIONAL", ipAddressType: "dualstack" },
    securityPolicy: DOMAIN_SECURITY_POLICY,
  }).resource;
  const basePathMapping = child(scope, "basePathMapping", apigateway.BasePathMapping, {
    restApi: restApi.id,
    stageName: stage.stageName,
    domainName: domainName.domainName,
    basePath: domain.basePath === "" ? undefined : domain.basePath,
  }).resource;
  if (domain.hostedZoneId !== undefined) {
    for (const [key, type] of [
      ["dnsRecordA", "A"],
      ["dnsRecordAaaa", "AAAA"],
    ] as const) {
      child(scope, key, route53.Record, {
        zoneId: domain.hostedZoneId,
        name: domainName.domainName,
        type,
        aliases: [
          {
            name: domainName.regionalDomainName,
            zoneId: domainName.regionalZoneId,
            evaluateTargetHealth: false,
          },
        ],
      });
    }
  }
  const prefix = domain.basePath === "" ? "" : `${domain.basePath}/`;
  const baseUrl = basePathMapping.id.apply(() => `https://${domain.name}/${prefix}`);
  return { domainName, basePathMapping, baseUrl };
}
