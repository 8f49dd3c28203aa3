// The API side of the component: invoke role, REST API, route, deployment, stage, throttling, access logs, WAF.
import { createHash } from "node:crypto";
import * as apigateway from "@pulumi/aws/apigateway";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as iam from "@pulumi/aws/iam";
import type * as lambda from "@pulumi/aws/lambda";
import type * as awsInputs from "@pulumi/aws/types/input";
import * as wafv2 from "@pulumi/aws/wafv2";
import * as pulumi from "@pulumi/pulumi";
import type { AuthorizerChildren } from "./authorizer";
import { child, type ChildScope, type Created } from "./children";
import type { CorsChildren } from "./cors";
import { Authorization } from "./enums";
import { invokeRolePolicy, trustPolicy } from "./iamPolicies";
import type { ResolvedArgs } from "./validation";

/** Method fields whose change must redeploy the stage. */
const METHOD_ROUTE_FIELDS = [
  "httpMethod",
  "authorization",
  "authorizerId",
  "authorizationScopes",
  "apiKeyRequired",
  "requestParameters",
  "requestModels",
  "requestValidatorId",
  "operationName",
] as const;
/** Integration fields whose change must redeploy the stage. */
const INTEGRATION_ROUTE_FIELDS = [
  "type",
  "integrationHttpMethod",
  "uri",
  "credentials",
  "responseTransferMode",
  "timeoutMilliseconds",
  "requestParameters",
  "requestTemplates",
  "passthroughBehavior",
  "contentHandling",
  "cacheKeyParameters",
  "cacheNamespace",
  "connectionType",
  "connectionId",
  "tlsConfig",
] as const;
/** REST API fields that take effect only through a deployment. */
const REST_API_ROUTE_FIELDS = [
  "binaryMediaTypes",
  "minimumCompressionSize",
  "policy",
  "apiKeySource",
] as const;

/** The role API Gateway assumes to invoke the function, trusted by API Gateway only. */
export function createInvokeRole(scope: ChildScope): iam.Role {
  return child(scope, "invokeRole", iam.Role, {
    description: `Lets API Gateway invoke the ${scope.name} streaming function`,
    assumeRolePolicy: JSON.stringify(trustPolicy("apigateway.amazonaws.com")),
  }).resource;
}

/** The invoke role's permission: invoke this function (streaming or not), nothing else. */
export function createInvokeRolePolicy(
  scope: ChildScope,
  invokeRole: iam.Role,
  fn: lambda.Function,
): iam.RolePolicy {
  return child(scope, "invokeRolePolicy", iam.RolePolicy, {
    role: invokeRole.name,
    policy: fn.arn.apply((functionArn) => JSON.stringify(invokeRolePolicy(functionArn))),
  }).resource;
}

/** The REST API, with TLS 1.2 or later. */
export function createRestApi(
  scope: ChildScope,
  resolved: ResolvedArgs,
): Created<apigateway.RestApi, apigateway.RestApiArgs> {
  return child(scope, "restApi", apigateway.RestApi, {
    description: `Streaming REST API of ${scope.name}`,
    endpointConfiguration: { types: resolved.endpointType },
    // Which request bodies API Gateway passes byte for byte (base64); streamed responses need none.
    binaryMediaTypes: [...resolved.binaryMediaTypes],
    // API Gateway's default for REST APIs still accepts TLS 1.0.
    securityPolicy: "TLS_1_2",
  });
}

/** The route: the path's resources, its method and the streaming integration, each as created. */
export interface Route {
  /** The resource the method is on: the last path resource, or the API's root for `/`. */
  readonly resourceId: pulumi.Input<string>;
  readonly pathResources: readonly Created<apigateway.Resource, apigateway.ResourceArgs>[];
  readonly method: Created<apigateway.Method, apigateway.MethodArgs>;
  readonly integration: Created<apigateway.Integration, apigateway.IntegrationArgs>;
}

/** What the route connects: the API it is on, and the function it invokes with the invoke role. */
export interface RouteTargets {
  readonly restApi: apigateway.RestApi;
  readonly fn: lambda.Function;
  readonly invokeRole: iam.Role;
  /** The authorizer of `COGNITO_USER_POOLS` and `CUSTOM` authorization. */
  readonly authorizer: AuthorizerChildren | undefined;
}

/** The path's resources (one per segment), the method and the streaming Lambda proxy integration. */
export function createRoute(scope: ChildScope, resolved: ResolvedArgs, targets: RouteTargets): Route {
  const { restApi, fn, invokeRole, authorizer } = targets;
  const authorization = resolved.authorization;
  const scopes = authorization.kind === Authorization.CognitoUserPools ? authorization.scopes : [];
  let resourceId: pulumi.Input<string> = restApi.rootResourceId;
  const pathResources = resolved.pathSegments.map((pathPart, index) => {
    const created = child(
      scope,
      "pathResource",
      apigateway.Resource,
      { restApi: restApi.id, parentId: resourceId, pathPart },
      { index },
    );
    resourceId = created.resource.id;
    return created;
  });
  const method = child(
    scope,
    "method",
    apigateway.Method,
    {
      restApi: restApi.id,
      resourceId,
      httpMethod: resolved.method,
      authorization: authorization.kind,
      authorizerId: authorizer?.authorizer.resource.id,
      authorizationScopes: scopes.length > 0 ? [...scopes] : undefined,
    },
    // A new method or path replaces the method. Replaced the default way (create, then delete), the old
    // method would still exist, its integration already deleted (the provider replaces integrations delete
    // first), when the new deployment snapshots the API: "No integration defined for method". Deleting the
    // method first takes its integration with it, so the new deployment sees only the new route.
    { opts: { deleteBeforeReplace: true } },
  );
  const integration = child(scope, "integration", apigateway.Integration, {
    restApi: restApi.id,
    resourceId,
    httpMethod: method.resource.httpMethod,
    type: "AWS_PROXY",
    integrationHttpMethod: "POST",
    uri: fn.responseStreamingInvokeArn,
    responseTransferMode: "STREAM",
    timeoutMilliseconds: resolved.integrationTimeoutMs,
    credentials: invokeRole.arn,
  });
  return { resourceId, pathResources, method, integration };
}

/** Children besides the route whose settings take effect only through a deployment. */
export interface DeployedExtras {
  readonly cors: CorsChildren | undefined;
  readonly authorizer: AuthorizerChildren | undefined;
}

/**
 * A deployment snapshots the API's routes. Its trigger hashes every route setting (after transforms), so
 * any change creates a new deployment, and the stage moves to it.
 */
export function createDeployment(
  scope: ChildScope,
  restApi: Created<apigateway.RestApi, apigateway.RestApiArgs>,
  route: Route,
  invokeRolePolicy: iam.RolePolicy,
  extras: DeployedExtras,
): apigateway.Deployment {
  const { cors, authorizer } = extras;
  const settings = {
    path: pulumi.all(route.pathResources.map(({ args }) => args.pathPart)).apply((parts) => parts.join("/")),
    restApi: pick(restApi.args, REST_API_ROUTE_FIELDS),
    method: pick(route.method.args, METHOD_ROUTE_FIELDS),
    integration: pick(route.integration.args, INTEGRATION_ROUTE_FIELDS),
    // Preflight, gateway responses and authorizer are part of the API a deployment snapshots, too.
    cors:
      cors === undefined
        ? undefined
        : {
            method: pick(cors.method.args, METHOD_ROUTE_FIELDS),
            integration: pick(cors.integration.args, INTEGRATION_ROUTE_FIELDS),
            methodResponse: pick(cors.methodResponse.args, [
              "statusCode",
              "responseParameters",
              "responseModels",
            ]),
            integrationResponse: pick(cors.integrationResponse.args, [
              "statusCode",
              "selectionPattern",
              "responseParameters",
              "responseTemplates",
              "contentHandling",
            ]),
            gatewayResponses: cors.gatewayResponses.map(({ args }) =>
              pick(args, ["responseType", "statusCode", "responseParameters", "responseTemplates"]),
            ),
          },
    authorizer:
      authorizer === undefined
        ? undefined
        : pick(authorizer.authorizer.args, [
            "type",
            "providerArns",
            "authorizerUri",
            "authorizerCredentials",
            "identitySource",
            "identityValidationExpression",
            "authorizerResultTtlInSeconds",
          ]),
  };
  const redeployment = pulumi.output(settings).apply(sha256OfJson);
  const dependsOn: pulumi.Resource[] = [route.method.resource, route.integration.resource, invokeRolePolicy];
  if (cors !== undefined) {
    dependsOn.push(
      cors.method.resource,
      cors.integration.resource,
      cors.methodResponse.resource,
      cors.integrationResponse.resource,
      ...cors.gatewayResponses.map(({ resource }) => resource),
    );
  }
  if (authorizer !== undefined) {
    dependsOn.push(
      authorizer.authorizer.resource,
      ...(authorizer.permission === undefined ? [] : [authorizer.permission]),
    );
  }
  return child(
    scope,
    "deployment",
    apigateway.Deployment,
    { restApi: restApi.resource.id, description: `Routes of ${scope.name}`, triggers: { redeployment } },
    { opts: { dependsOn } },
  ).resource;
}

/** The stage on the latest deployment, with X-Ray and access logging as asked. */
export function createStage(
  scope: ChildScope,
  resolved: ResolvedArgs,
  restApi: apigateway.RestApi,
  deployment: apigateway.Deployment,
): apigateway.Stage {
  return child(scope, "stage", apigateway.Stage, {
    restApi: restApi.id,
    deployment: deployment.id,
    stageName: resolved.stageName,
    description: `Stage of ${scope.name}`,
    xrayTracingEnabled: resolved.tracing,
    accessLogSettings: accessLogSettings(scope, resolved),
  }).resource;
}

/** Where and how the stage logs access, creating the log group unless a destination is given. */
function accessLogSettings(
  scope: ChildScope,
  resolved: ResolvedArgs,
): awsInputs.apigateway.StageAccessLogSettings | undefined {
  const accessLogging = resolved.accessLogging;
  if (accessLogging === undefined) return undefined;
  const destinationArn =
    accessLogging.destinationArn ??
    child(scope, "accessLogGroup", cloudwatch.LogGroup, {
      namePrefix: `/aws/apigateway/${scope.name}-`,
      retentionInDays: accessLogging.retentionInDays,
    }).resource.arn;
  return { destinationArn, format: accessLogging.format };
}

/** Stage-wide throttling for every method (`*\/*`). */
export function createMethodSettings(
  scope: ChildScope,
  resolved: ResolvedArgs,
  restApi: apigateway.RestApi,
  stage: apigateway.Stage,
): apigateway.MethodSettings {
  return child(scope, "methodSettings", apigateway.MethodSettings, {
    restApi: restApi.id,
    stageName: stage.stageName,
    methodPath: "*/*",
    settings: {
      throttlingRateLimit: resolved.throttle.rateLimit,
      throttlingBurstLimit: resolved.throttle.burstLimit,
    },
  }).resource;
}

/** Puts the stage behind a regional WAFv2 web ACL. */
export function createWebAclAssociation(
  scope: ChildScope,
  stage: apigateway.Stage,
  webAclArn: pulumi.Input<string>,
): wafv2.WebAclAssociation {
  return child(scope, "webAclAssociation", wafv2.WebAclAssociation, { resourceArn: stage.arn, webAclArn })
    .resource;
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) picked[key] = source[key];
  return picked;
}

/** SHA-256 of a JSON rendering with sorted keys, so equal settings always hash the same. */
function sha256OfJson(value: unknown): string {
  return createHash("sha256").update(stableJson(value)).digest("hex");
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${stableJson(entry)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
