// Per-child overrides of the StreamingRestApi (TypeScript only: functions cannot cross Pulumi's schema).
// Service submodules rather than "@pulumi/aws": type-checking a consumer's program loads far fewer typings.
import type * as apigateway from "@pulumi/aws/apigateway";
import type * as cloudwatch from "@pulumi/aws/cloudwatch";
import type * as iam from "@pulumi/aws/iam";
import type * as lambda from "@pulumi/aws/lambda";
import type * as route53 from "@pulumi/aws/route53";
import type * as wafv2 from "@pulumi/aws/wafv2";
import type { Transform } from "./transform";

/**
 * Per-child overrides, applied last: one key per child the component creates. Each is a partial args object
 * (merged over the component's, shallowly: yours win) or a function editing the args and resource options in
 * place. Transforms that would break streaming or stop the runtime from starting are refused with an error
 * naming `transform.<key>`.
 */
export interface StreamingRestApiTransforms {
  /**
   * The Lambda function. `AWS_LAMBDA_EXEC_WRAPPER` stays in its environment whatever the transform does to
   * `environment` (your other variables are kept); setting it to another value, or overriding `runtime`,
   * `handler` or the code (`code`, `s3Bucket`, `s3Key`, `s3ObjectVersion`, `imageUri`, `packageType`), is
   * refused: the component builds those. Add variables with the `environment` argument.
   * @default none
   */
  function?: Transform<lambda.FunctionArgs>;
  /**
   * The function's execution role.
   * @default none
   */
  role?: Transform<iam.RoleArgs>;
  /**
   * The execution role's inline policy: writing to the function's log group, plus X-Ray, VPC, KMS and
   * dead-letter permissions when those arguments are set.
   * @default none
   */
  rolePolicy?: Transform<iam.RolePolicyArgs>;
  /**
   * The role API Gateway assumes to invoke the function.
   * @default none
   */
  invokeRole?: Transform<iam.RoleArgs>;
  /**
   * The invoke role's inline policy: `lambda:InvokeFunction` and `lambda:InvokeWithResponseStream` on this
   * function only.
   * @default none
   */
  invokeRolePolicy?: Transform<iam.RolePolicyArgs>;
  /**
   * The function's log group.
   * @default none
   */
  logGroup?: Transform<cloudwatch.LogGroupArgs>;
  /**
   * The REST API. Compression (`minimumCompressionSize`) is refused: STREAM does not support it.
   * @default none
   */
  restApi?: Transform<apigateway.RestApiArgs>;
  /**
   * The API Gateway resources of `path`, one per segment (none for `/`). Applied to each; a function
   * transform gets each one's name (`<name>-path-<index>`, 0 for the first segment).
   * @default none
   */
  pathResource?: Transform<apigateway.ResourceArgs>;
  /**
   * The route's method. Created with `deleteBeforeReplace`, so that a change of method or path removes the old
   * method and its integration before the new ones exist.
   * @default none
   */
  method?: Transform<apigateway.MethodArgs>;
  /**
   * The streaming integration. It must stay `AWS_PROXY` with `responseTransferMode: "STREAM"`, without cache
   * keys.
   * @default none
   */
  integration?: Transform<apigateway.IntegrationArgs>;
  /**
   * The deployment. Its `triggers.redeployment` is a hash of the route's settings (after their transforms):
   * replacing it yourself means route changes no longer redeploy the stage.
   * @default none
   */
  deployment?: Transform<apigateway.DeploymentArgs>;
  /**
   * The stage. A cache cluster is refused: STREAM does not support caching.
   * @default none
   */
  stage?: Transform<apigateway.StageArgs>;
  /**
   * The stage-wide method settings (`*\/*`), which carry the throttling. Caching (`settings.cachingEnabled`)
   * is refused: STREAM does not support it.
   * @default none
   */
  methodSettings?: Transform<apigateway.MethodSettingsArgs>;
  /**
   * The access-log group, created with `accessLogging` when it has no `destinationArn`.
   * @default none
   */
  accessLogGroup?: Transform<cloudwatch.LogGroupArgs>;
  /**
   * The association of the stage with the `webAclArn` web ACL, created with `webAclArn` only.
   * @default none
   */
  webAclAssociation?: Transform<wafv2.WebAclAssociationArgs>;
  /**
   * The `OPTIONS` method answering preflights on the route's resource (`cors` only), without authorization.
   * @default none
   */
  corsMethod?: Transform<apigateway.MethodArgs>;
  /**
   * The preflight's MOCK integration (`cors` only). It must stay a MOCK integration.
   * @default none
   */
  corsIntegration?: Transform<apigateway.IntegrationArgs>;
  /**
   * The preflight's method response, which declares its CORS headers (`cors` only).
   * @default none
   */
  corsMethodResponse?: Transform<apigateway.MethodResponseArgs>;
  /**
   * The preflight's integration response, which sets its CORS headers (`cors` only).
   * @default none
   */
  corsIntegrationResponse?: Transform<apigateway.IntegrationResponseArgs>;
  /**
   * The `DEFAULT_4XX` gateway response, with `Access-Control-Allow-Origin` (`cors` only).
   * @default none
   */
  default4xxResponse?: Transform<apigateway.ResponseArgs>;
  /**
   * The `DEFAULT_5XX` gateway response, with `Access-Control-Allow-Origin` (`cors` only).
   * @default none
   */
  default5xxResponse?: Transform<apigateway.ResponseArgs>;
  /**
   * The API Gateway authorizer (`authorization` `COGNITO_USER_POOLS` or `CUSTOM`).
   * @default none
   */
  authorizer?: Transform<apigateway.AuthorizerArgs>;
  /**
   * The permission letting this API's authorizer invoke the authorizer function (`CUSTOM` only).
   * @default none
   */
  authorizerPermission?: Transform<lambda.PermissionArgs>;
  /**
   * The custom domain name (`domain` only).
   * @default none
   */
  domainName?: Transform<apigateway.DomainNameArgs>;
  /**
   * The mapping of the stage to the custom domain's base path (`domain` only).
   * @default none
   */
  basePathMapping?: Transform<apigateway.BasePathMappingArgs>;
  /**
   * The Route 53 alias A record of the custom domain (`domain.hostedZoneId` only).
   * @default none
   */
  dnsRecordA?: Transform<route53.RecordArgs>;
  /**
   * The Route 53 alias AAAA record of the custom domain (`domain.hostedZoneId` only).
   * @default none
   */
  dnsRecordAaaa?: Transform<route53.RecordArgs>;
  /**
   * The Lambda Managed Instances capacity provider (`capacityProvider` with `subnetIds` only).
   * @default none
   */
  capacityProvider?: Transform<lambda.CapacityProviderArgs>;
  /**
   * The capacity provider's operator role, which Lambda assumes to manage its instances.
   * @default none
   */
  capacityProviderRole?: Transform<iam.RoleArgs>;
  /**
   * The attachment of AWS's `AWSLambdaManagedEC2ResourceOperator` managed policy to the operator role.
   * @default none
   */
  capacityProviderRolePolicy?: Transform<iam.RolePolicyAttachmentArgs>;
}
