// The StreamingRestApi component: a Lambda function running our runtime behind a streaming REST API route.
import * as path from "node:path";
// Service submodules rather than "@pulumi/aws": type-checking a consumer's program loads far fewer typings.
import type * as apigateway from "@pulumi/aws/apigateway";
import type * as cloudwatch from "@pulumi/aws/cloudwatch";
import type * as iam from "@pulumi/aws/iam";
import type * as lambda from "@pulumi/aws/lambda";
import * as pulumi from "@pulumi/pulumi";
import type { StreamingRestApiSchemaArgs } from "./args";
import { createAuthorizer } from "./authorizer";
import { BundleError, prepareBundle, writeBundle, type PreparedBundle } from "./bundle";
import { createCapacityProvider } from "./capacityProvider";
import type { ChildScope } from "./children";
import { createCors } from "./cors";
import { createCustomDomain } from "./customDomain";
import {
  createExecutionRole,
  createExecutionRolePolicy,
  createFunction,
  createLogGroup,
} from "./lambdaFunction";
import {
  createDeployment,
  createInvokeRole,
  createInvokeRolePolicy,
  createMethodSettings,
  createRestApi,
  createRoute,
  createStage,
  createWebAclAssociation,
} from "./restApi";
import { StreamingRestApiArgumentError, resolveArgs, type ResolvedArgs } from "./validation";

/**
 * The component's Pulumi type token, in every language: `<package>:index:<class>`, the package being
 * package.json's `name`, as Pulumi requires of a component it serves to other languages.
 */
export const STREAMING_REST_API_TYPE = "streaming-rest-api:index:StreamingRestApi";

/**
 * The type token of versions before the component was served to other languages. Every component carries an
 * alias to it, so a stack deployed with it keeps its resources: the children's URNs derive from their
 * parent's, and Pulumi applies a parent's aliases to its children.
 */
export const LEGACY_STREAMING_REST_API_TYPE = "streaming:index:StreamingRestApi";

/** Bundles live under `<project>/.build/<component name>/`. */
const BUILD_DIRECTORY = ".build";

/**
 * Serves streaming HTTP responses from a Lambda function through an API Gateway REST API: the handler is
 * bundled with this project's runtime, which streams through Lambda's Runtime API; the route's integration
 * uses `responseTransferMode: STREAM` and an invoke role scoped to this function.
 *
 * Its constructor is declared with the schema arguments, which Pulumi reads to serve the component to every
 * language; TypeScript code constructs it through the `StreamingRestApi` that ./index exports, typed with
 * `StreamingRestApiArgs` (a superset: transforms and the wider TypeScript forms), which it accepts as well.
 */
export class StreamingRestApi extends pulumi.ComponentResource {
  /**
   * The route's full URL, e.g. `https://ID.execute-api.REGION.amazonaws.com/prod/stream`, or with `domain`
   * `https://NAME/BASE_PATH/stream`.
   */
  readonly url: pulumi.Output<string>;
  /** The function's ARN. */
  readonly functionArn: pulumi.Output<string>;
  /** The function's name (auto-named: `<name>-fn-<7 hex>`). */
  readonly functionName: pulumi.Output<string>;
  /** The REST API's id. */
  readonly restApiId: pulumi.Output<string>;
  /** The stage's name. */
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
  /** The REST API. */
  readonly restApi: apigateway.RestApi;
  /** The stage serving the route. */
  readonly stage: apigateway.Stage;
  /** The role API Gateway assumes to invoke the function. */
  readonly invokeRole: iam.Role;

  constructor(name: string, args: StreamingRestApiSchemaArgs, opts?: pulumi.ComponentResourceOptions) {
    // Everything that can be refused is checked before the component or any child is registered.
    const resolved = resolveArgs(name, args);
    const prepared = prepareHandlerBundle(name, resolved);
    super(STREAMING_REST_API_TYPE, name, {}, withLegacyTypeAlias(opts));
    for (const warning of resolved.warnings) void pulumi.log.warn(warning, this);
    const scope: ChildScope = { parent: this, name, transforms: resolved.transforms };

    const bundle = pulumi.output(writeBundle(prepared));
    const logGroup = createLogGroup(scope, resolved);
    const role = createExecutionRole(scope);
    const rolePolicy = createExecutionRolePolicy(scope, resolved, role, logGroup);
    const capacityProvider = resolved.capacityProvider;
    const capacityProviderArn =
      capacityProvider?.create === undefined
        ? capacityProvider?.arn
        : createCapacityProvider(scope, capacityProvider.create, resolved.architecture).arn;
    const fn = createFunction(scope, resolved, { bundle, role, logGroup, rolePolicy, capacityProviderArn });
    const invokeRole = createInvokeRole(scope);
    const invokeRolePolicy = createInvokeRolePolicy(scope, invokeRole, fn);
    const restApi = createRestApi(scope, resolved);
    const authorizer = createAuthorizer(scope, resolved.authorization, restApi.resource);
    const route = createRoute(scope, resolved, { restApi: restApi.resource, fn, invokeRole, authorizer });
    const cors =
      resolved.cors === undefined
        ? undefined
        : createCors(scope, resolved.cors, restApi.resource, route.resourceId);
    const deployment = createDeployment(scope, restApi, route, invokeRolePolicy, { cors, authorizer });
    const stage = createStage(scope, resolved, restApi.resource, deployment);
    createMethodSettings(scope, resolved, restApi.resource, stage);
    if (resolved.webAclArn !== undefined) createWebAclAssociation(scope, stage, resolved.webAclArn);
    const domain =
      resolved.domain === undefined
        ? undefined
        : createCustomDomain(scope, resolved.domain, restApi.resource, stage);

    this.function = fn;
    this.role = role;
    this.logGroup = logGroup;
    this.restApi = restApi.resource;
    this.stage = stage;
    this.invokeRole = invokeRole;
    this.url =
      domain === undefined
        ? pulumi.interpolate`${stage.invokeUrl}/${resolved.path}`
        : pulumi.interpolate`${domain.baseUrl}${resolved.path}`;
    this.functionArn = fn.arn;
    this.functionName = fn.name;
    this.restApiId = restApi.resource.id;
    this.stageName = stage.stageName;
    this.invokeRoleArn = invokeRole.arn;
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
}

/** `opts` with an alias to the legacy type token added to the caller's own aliases. */
function withLegacyTypeAlias(
  opts: pulumi.ComponentResourceOptions | undefined,
): pulumi.ComponentResourceOptions {
  return { ...opts, aliases: [...(opts?.aliases ?? []), { type: LEGACY_STREAMING_REST_API_TYPE }] };
}

/** Checks and prepares the bundle synchronously, turning bundling problems into argument errors. */
function prepareHandlerBundle(name: string, resolved: ResolvedArgs): PreparedBundle {
  try {
    return prepareBundle({
      handler: resolved.handler,
      handlerExport: resolved.handlerExport,
      outDir: path.join(process.cwd(), BUILD_DIRECTORY, name),
      minify: resolved.bundle.minify,
      sourcemap: resolved.bundle.sourcemap,
      external: resolved.bundle.external === undefined ? undefined : [...resolved.bundle.external],
      define: resolved.bundle.define === undefined ? undefined : { ...resolved.bundle.define },
      localServer: false,
    });
  } catch (error) {
    if (error instanceof BundleError)
      throw new StreamingRestApiArgumentError(name, error.option, error.message);
    throw error;
  }
}
