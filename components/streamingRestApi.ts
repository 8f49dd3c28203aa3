// The StreamingRestApi component: a Lambda function running our runtime behind a streaming REST API route.
import { createHash } from "node:crypto";
import * as path from "node:path";
// Service submodules rather than "@pulumi/aws": type-checking a consumer's program loads far fewer typings.
import * as apigateway from "@pulumi/aws/apigateway";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as iam from "@pulumi/aws/iam";
import * as lambda from "@pulumi/aws/lambda";
import type * as awsInputs from "@pulumi/aws/types/input";
import * as wafv2 from "@pulumi/aws/wafv2";
import * as pulumi from "@pulumi/pulumi";
import type { StreamingRestApiArgs, StreamingRestApiTransforms } from "./args";
import { BundleError, prepareBundle, writeBundle, type BundleResult, type PreparedBundle } from "./bundle";
import { ChildSuffix, childName, pathResourceName } from "./naming";
import { executionRolePolicy, invokeRolePolicy, trustPolicy } from "./policies";
import { applyTransform, type Transform } from "./transform";
import {
  StreamingRestApiArgumentError,
  resolveArgs,
  streamIncompatibility,
  type ResolvedArgs,
} from "./validation";

/** The component's Pulumi type token. */
export const STREAMING_REST_API_TYPE = "streaming:index:StreamingRestApi";

/** Where Lambda finds our `bootstrap` (the deployment package is unpacked in /var/task). */
export const EXEC_WRAPPER_PATH = "/var/task/bootstrap";
/** The managed runtime whose `node` the bootstrap starts. */
export const LAMBDA_RUNTIME = "nodejs24.x";
/**
 * The managed runtime requires a handler setting, but never reads it: `AWS_LAMBDA_EXEC_WRAPPER` replaces
 * its client with our runtime, which runs the bundled handler.
 */
export const PLACEHOLDER_HANDLER = "index.handler";

/** Bundles live under `<project>/.build/<component name>/`. */
const BUILD_DIRECTORY = ".build";

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

/**
 * Serves streaming HTTP responses from a Lambda function through an API Gateway REST API: the handler is
 * bundled with this project's runtime, which streams through Lambda's Runtime API; the route's integration
 * uses `responseTransferMode: STREAM` and an invoke role scoped to this function.
 */
export class StreamingRestApi extends pulumi.ComponentResource {
  /** The route's full invoke URL, e.g. `https://ID.execute-api.REGION.amazonaws.com/prod/stream`. */
  readonly url: pulumi.Output<string>;
  readonly functionArn: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  readonly restApiId: pulumi.Output<string>;
  readonly stageName: pulumi.Output<string>;
  /** The role API Gateway assumes to invoke the function. */
  readonly invokeRoleArn: pulumi.Output<string>;
  /** Size of the bundled `index.mjs` (runtime and handler) in bytes. */
  readonly bundleBytes: pulumi.Output<number>;

  /** The Lambda function. */
  readonly function: lambda.Function;
  /** The function's execution role: attach your handler's own permissions to it. */
  readonly role: iam.Role;
  /** The function's log group. */
  readonly logGroup: cloudwatch.LogGroup;
  readonly restApi: apigateway.RestApi;
  readonly stage: apigateway.Stage;
  readonly invokeRole: iam.Role;

  private readonly componentName: string;
  private readonly transforms: StreamingRestApiTransforms;

  constructor(name: string, args: StreamingRestApiArgs, opts?: pulumi.ComponentResourceOptions) {
    // Everything that can be refused is checked before the component or any child is registered.
    const resolved = resolveArgs(name, args);
    const prepared = prepareHandlerBundle(name, args, resolved);
    super(STREAMING_REST_API_TYPE, name, {}, opts);
    this.componentName = name;
    this.transforms = args.transform ?? {};
    for (const warning of resolved.warnings) void pulumi.log.warn(warning, this);

    const bundle = pulumi.output(writeBundle(prepared));
    this.logGroup = this.createLogGroup(name, resolved);
    this.role = this.createExecutionRole(name);
    const rolePolicy = this.createExecutionRolePolicy(name, args, resolved);
    this.function = this.createFunction(name, args, resolved, bundle, rolePolicy);
    this.invokeRole = this.createInvokeRole(name);
    const invokeRolePolicy = this.createInvokeRolePolicy(name);
    const restApi = this.createRestApi(name, resolved);
    this.restApi = restApi.resource;
    const route = this.createRoute(name, resolved);
    const deployment = this.createDeployment(name, resolved, restApi.args, route, invokeRolePolicy);
    this.stage = this.createStage(name, resolved, deployment);
    this.createThrottling(name, resolved);
    if (args.webAclArn !== undefined) this.associateWebAcl(name, args.webAclArn);

    this.url = pulumi.interpolate`${this.stage.invokeUrl}/${resolved.path}`;
    this.functionArn = this.function.arn;
    this.functionName = this.function.name;
    this.restApiId = this.restApi.id;
    this.stageName = this.stage.stageName;
    this.invokeRoleArn = this.invokeRole.arn;
    this.bundleBytes = bundle.bundleBytes;
    this.registerOutputs({
      url: this.url,
      functionArn: this.functionArn,
      functionName: this.functionName,
      restApiId: this.restApiId,
      stageName: this.stageName,
      invokeRoleArn: this.invokeRoleArn,
      bundleBytes: this.bundleBytes,
    });
  }

  /** The function's log group, created here (not by Lambda) so it has a retention and is deleted with the stack. */
  private createLogGroup(name: string, resolved: ResolvedArgs): cloudwatch.LogGroup {
    return this.child(
      cloudwatch.LogGroup,
      ChildSuffix.logGroup,
      { namePrefix: `/aws/lambda/${name}-`, retentionInDays: resolved.logRetentionInDays },
      this.transforms.logGroup,
    );
  }

  private createExecutionRole(name: string): iam.Role {
    return this.child(
      iam.Role,
      ChildSuffix.role,
      {
        description: `Execution role of the ${name} streaming function`,
        assumeRolePolicy: JSON.stringify(trustPolicy("lambda.amazonaws.com")),
      },
      this.transforms.role,
    );
  }

  private createExecutionRolePolicy(
    name: string,
    args: StreamingRestApiArgs,
    resolved: ResolvedArgs,
  ): iam.RolePolicy {
    const policy = pulumi
      .all([this.logGroup.arn, args.kmsKeyArn, args.deadLetterTargetArn])
      .apply(([logGroupArn, kmsKeyArn, deadLetterTargetArn]) =>
        JSON.stringify(
          executionRolePolicy({
            logGroupArn,
            tracing: resolved.tracing,
            vpc: args.vpcConfig !== undefined,
            kmsKeyArn,
            deadLetterTargetArn,
          }),
        ),
      );
    return new iam.RolePolicy(
      childName(name, ChildSuffix.rolePolicy),
      { role: this.role.name, policy },
      { parent: this },
    );
  }

  private createFunction(
    name: string,
    args: StreamingRestApiArgs,
    resolved: ResolvedArgs,
    bundle: pulumi.Output<BundleResult>,
    rolePolicy: iam.RolePolicy,
  ): lambda.Function {
    const variables = pulumi.output(args.environment ?? {}).apply((environment) => {
      if (Object.hasOwn(environment, "AWS_LAMBDA_EXEC_WRAPPER")) {
        throw new StreamingRestApiArgumentError(
          name,
          "environment",
          "environment must not set AWS_LAMBDA_EXEC_WRAPPER: the component sets it to start its runtime.",
        );
      }
      return { ...environment, AWS_LAMBDA_EXEC_WRAPPER: EXEC_WRAPPER_PATH };
    });
    return this.child(
      lambda.Function,
      ChildSuffix.function,
      {
        description: `Streams HTTP responses for ${name} (streaming-rest-api runtime)`,
        runtime: LAMBDA_RUNTIME,
        handler: PLACEHOLDER_HANDLER,
        architectures: [resolved.architecture],
        memorySize: resolved.memorySize,
        timeout: resolved.timeout,
        role: this.role.arn,
        // A prebuilt .zip keeps bootstrap's exec bit; Pulumi would drop modes zipping a directory itself.
        code: bundle.apply((built) => new pulumi.asset.FileArchive(built.zipPath)),
        environment: { variables },
        loggingConfig: { logFormat: "Text", logGroup: this.logGroup.name },
        tracingConfig: resolved.tracing ? { mode: "Active" } : undefined,
        reservedConcurrentExecutions: resolved.reservedConcurrency,
        kmsKeyArn: args.kmsKeyArn,
        deadLetterConfig:
          args.deadLetterTargetArn === undefined ? undefined : { targetArn: args.deadLetterTargetArn },
        vpcConfig: args.vpcConfig,
      },
      this.transforms.function,
      // The role must be able to write logs before the first invocation.
      { dependsOn: [rolePolicy] },
    );
  }

  private createInvokeRole(name: string): iam.Role {
    return this.child(
      iam.Role,
      ChildSuffix.invokeRole,
      {
        description: `Lets API Gateway invoke the ${name} streaming function`,
        assumeRolePolicy: JSON.stringify(trustPolicy("apigateway.amazonaws.com")),
      },
      this.transforms.invokeRole,
    );
  }

  private createInvokeRolePolicy(name: string): iam.RolePolicy {
    return new iam.RolePolicy(
      childName(name, ChildSuffix.invokeRolePolicy),
      {
        role: this.invokeRole.name,
        policy: this.function.arn.apply((functionArn) => JSON.stringify(invokeRolePolicy(functionArn))),
      },
      { parent: this },
    );
  }

  private createRestApi(
    name: string,
    resolved: ResolvedArgs,
  ): Created<apigateway.RestApi, apigateway.RestApiArgs> {
    return this.childWithArgs(
      apigateway.RestApi,
      ChildSuffix.restApi,
      {
        description: `Streaming REST API of ${name}`,
        endpointConfiguration: { types: resolved.endpointType },
        // API Gateway's default for REST APIs still accepts TLS 1.0.
        securityPolicy: "TLS_1_2",
      },
      this.transforms.restApi,
      {},
      "restApi",
    );
  }

  /** The path's resources (one per segment), the method and the streaming integration. */
  private createRoute(name: string, resolved: ResolvedArgs): Route {
    let resourceId: pulumi.Output<string> = this.restApi.rootResourceId;
    resolved.pathSegments.forEach((pathPart, index) => {
      const resource: apigateway.Resource = new apigateway.Resource(
        pathResourceName(name, index),
        { restApi: this.restApi.id, parentId: resourceId, pathPart },
        { parent: this },
      );
      resourceId = resource.id;
    });
    const method = this.childWithArgs(
      apigateway.Method,
      ChildSuffix.method,
      {
        restApi: this.restApi.id,
        resourceId,
        httpMethod: resolved.method,
        authorization: resolved.authorization,
      },
      this.transforms.method,
    );
    const integrationArgs: apigateway.IntegrationArgs = {
      restApi: this.restApi.id,
      resourceId,
      httpMethod: method.resource.httpMethod,
      type: "AWS_PROXY",
      integrationHttpMethod: "POST",
      uri: this.function.responseStreamingInvokeArn,
      responseTransferMode: "STREAM",
      timeoutMilliseconds: resolved.integrationTimeoutMs,
      credentials: this.invokeRole.arn,
    };
    const integration = this.childWithArgs(
      apigateway.Integration,
      ChildSuffix.integration,
      integrationArgs,
      this.transforms.integration,
      {},
      "integration",
    );
    return { method, integration };
  }

  /**
   * A deployment snapshots the API's routes. Its trigger hashes every route setting (after transforms), so
   * any change creates a new deployment, and the stage moves to it.
   */
  private createDeployment(
    name: string,
    resolved: ResolvedArgs,
    restApiArgs: apigateway.RestApiArgs,
    route: Route,
    invokeRolePolicy: iam.RolePolicy,
  ): apigateway.Deployment {
    const settings = {
      path: resolved.path,
      restApi: pick(restApiArgs, REST_API_ROUTE_FIELDS),
      method: pick(route.method.args, METHOD_ROUTE_FIELDS),
      integration: pick(route.integration.args, INTEGRATION_ROUTE_FIELDS),
    };
    const redeployment = pulumi.output(settings).apply(sha256OfJson);
    return new apigateway.Deployment(
      childName(name, ChildSuffix.deployment),
      { restApi: this.restApi.id, description: `Routes of ${name}`, triggers: { redeployment } },
      { parent: this, dependsOn: [route.method.resource, route.integration.resource, invokeRolePolicy] },
    );
  }

  private createStage(
    name: string,
    resolved: ResolvedArgs,
    deployment: apigateway.Deployment,
  ): apigateway.Stage {
    const accessLogging = resolved.accessLogging;
    let accessLogSettings: awsInputs.apigateway.StageAccessLogSettings | undefined;
    if (accessLogging !== undefined) {
      const destinationArn =
        accessLogging.destinationArn ??
        new cloudwatch.LogGroup(
          childName(name, ChildSuffix.accessLogGroup),
          { namePrefix: `/aws/apigateway/${name}-`, retentionInDays: accessLogging.retentionInDays },
          { parent: this },
        ).arn;
      accessLogSettings = { destinationArn, format: accessLogging.format };
    }
    return this.child(
      apigateway.Stage,
      ChildSuffix.stage,
      {
        restApi: this.restApi.id,
        deployment: deployment.id,
        stageName: resolved.stageName,
        description: `Stage of ${name}`,
        xrayTracingEnabled: resolved.tracing,
        accessLogSettings,
      },
      this.transforms.stage,
      {},
      "stage",
    );
  }

  /** Stage-wide throttling for every method (`*\/*`). */
  private createThrottling(name: string, resolved: ResolvedArgs): apigateway.MethodSettings {
    return new apigateway.MethodSettings(
      childName(name, ChildSuffix.methodSettings),
      {
        restApi: this.restApi.id,
        stageName: this.stage.stageName,
        methodPath: "*/*",
        settings: {
          throttlingRateLimit: resolved.throttle.rateLimit,
          throttlingBurstLimit: resolved.throttle.burstLimit,
        },
      },
      { parent: this },
    );
  }

  private associateWebAcl(name: string, webAclArn: pulumi.Input<string>): wafv2.WebAclAssociation {
    return new wafv2.WebAclAssociation(
      childName(name, ChildSuffix.webAclAssociation),
      { resourceArn: this.stage.arn, webAclArn },
      { parent: this },
    );
  }

  /** Creates a child named `<component>-<suffix>` with `parent: this`, the user's transform applied last. */
  private child<TArgs extends object, TResource>(
    resourceClass: new (name: string, args: TArgs, opts?: pulumi.CustomResourceOptions) => TResource,
    suffix: string,
    args: TArgs,
    transform: Transform<TArgs> | undefined,
    opts: pulumi.CustomResourceOptions = {},
    checked?: keyof StreamingRestApiTransforms,
  ): TResource {
    return this.childWithArgs(resourceClass, suffix, args, transform, opts, checked).resource;
  }

  /**
   * {@link child}, also returning the final args. With `checked`, transformed args that would break
   * streaming are refused with an error naming `transform.<checked>`.
   */
  private childWithArgs<TArgs extends object, TResource>(
    resourceClass: new (name: string, args: TArgs, opts?: pulumi.CustomResourceOptions) => TResource,
    suffix: string,
    args: TArgs,
    transform: Transform<TArgs> | undefined,
    opts: pulumi.CustomResourceOptions = {},
    checked?: keyof StreamingRestApiTransforms,
  ): Created<TResource, TArgs> {
    const name = childName(this.componentName, suffix);
    const final = applyTransform(transform, name, args, { ...opts, parent: this });
    if (checked !== undefined) {
      const problem = streamIncompatibility(checked, final.args as Record<string, unknown>);
      if (problem !== undefined) {
        throw new StreamingRestApiArgumentError(this.componentName, `transform.${checked}`, problem);
      }
    }
    return { resource: new resourceClass(name, final.args, final.opts), args: final.args };
  }
}

/** A child resource and the args it was created with (after its transform). */
interface Created<TResource, TArgs> {
  readonly resource: TResource;
  readonly args: TArgs;
}

/** The route's method and integration. */
interface Route {
  readonly method: Created<apigateway.Method, apigateway.MethodArgs>;
  readonly integration: Created<apigateway.Integration, apigateway.IntegrationArgs>;
}

/** Checks and prepares the bundle synchronously, turning bundling problems into argument errors. */
function prepareHandlerBundle(
  name: string,
  args: StreamingRestApiArgs,
  resolved: ResolvedArgs,
): PreparedBundle {
  try {
    return prepareBundle({
      handler: args.handler,
      handlerExport: resolved.handlerExport,
      outDir: path.join(process.cwd(), BUILD_DIRECTORY, name),
      minify: resolved.bundle.minify,
      sourcemap: resolved.bundle.sourcemap,
      external: args.bundle?.external,
      define: args.bundle?.define,
      localServer: false,
    });
  } catch (error) {
    if (error instanceof BundleError)
      throw new StreamingRestApiArgumentError(name, error.option, error.message);
    throw error;
  }
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
