// The function side of the component: its log group, execution role and policy, and the Lambda function.
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as iam from "@pulumi/aws/iam";
import * as lambda from "@pulumi/aws/lambda";
import * as pulumi from "@pulumi/pulumi";
import type { BundleResult } from "./bundle";
import { child, type ChildScope } from "./children";
import { CORS_SETTINGS_VARIABLE, corsSettingsJson } from "./corsSettings";
import {
  EXEC_WRAPPER_PATH,
  EXEC_WRAPPER_VARIABLE,
  LAMBDA_RUNTIME,
  PLACEHOLDER_HANDLER,
} from "./functionSettings";
import { executionRolePolicy, trustPolicy } from "./iamPolicies";
import {
  ENVIRONMENT_CORS_REFUSAL,
  ENVIRONMENT_WRAPPER_REFUSAL,
  StreamingRestApiArgumentError,
  execWrapperProblem,
  type ResolvedArgs,
} from "./validation";

/**
 * The variable that sets how many worker threads serve concurrent invocations (AWS's Node.js runtime reads
 * the same one; so does ours, else it counts the vCPUs the process sees, `os.availableParallelism()`).
 */
export const WORKER_COUNT_VARIABLE = "AWS_LAMBDA_NODEJS_WORKER_COUNT";

/** The function's log group, created here (not by Lambda) so it has a retention and is deleted with the stack. */
export function createLogGroup(scope: ChildScope, resolved: ResolvedArgs): cloudwatch.LogGroup {
  return child(scope, "logGroup", cloudwatch.LogGroup, {
    namePrefix: `/aws/lambda/${scope.name}-`,
    retentionInDays: resolved.logRetentionInDays,
  }).resource;
}

/** The role the function runs as, trusted by Lambda only. */
export function createExecutionRole(scope: ChildScope): iam.Role {
  return child(scope, "role", iam.Role, {
    description: `Execution role of the ${scope.name} streaming function`,
    assumeRolePolicy: JSON.stringify(trustPolicy("lambda.amazonaws.com")),
  }).resource;
}

/** The execution role's permissions: its own log group, plus what tracing, VPC, KMS and the DLQ need. */
export function createExecutionRolePolicy(
  scope: ChildScope,
  resolved: ResolvedArgs,
  role: iam.Role,
  logGroup: cloudwatch.LogGroup,
): iam.RolePolicy {
  const policy = pulumi
    .all([logGroup.arn, resolved.kmsKeyArn, resolved.deadLetterTargetArn])
    .apply(([logGroupArn, kmsKeyArn, deadLetterTargetArn]) =>
      JSON.stringify(
        executionRolePolicy({
          logGroupArn,
          tracing: resolved.tracing,
          vpc: resolved.vpcConfig !== undefined,
          kmsKeyArn,
          deadLetterTargetArn,
        }),
      ),
    );
  return child(scope, "rolePolicy", iam.RolePolicy, { role: role.name, policy }).resource;
}

/** What the function is built from, besides the arguments. */
export interface FunctionInputs {
  readonly bundle: pulumi.Output<BundleResult>;
  readonly role: iam.Role;
  readonly logGroup: cloudwatch.LogGroup;
  /** Created first, so the role can write logs before the first invocation. */
  readonly rolePolicy: iam.RolePolicy;
  /** The Lambda Managed Instances capacity provider, with `capacityProvider` only. */
  readonly capacityProviderArn: pulumi.Input<string> | undefined;
}

/**
 * The variables the component sets for the runtime besides the exec wrapper: the CORS settings
 * (`STREAMING_REST_API_CORS`, with `cors`) and, on Lambda Managed Instances with `memoryGibPerVcpu`, one worker
 * thread per vCPU of the execution environment (`AWS_LAMBDA_NODEJS_WORKER_COUNT`): inside an instance the
 * process may see the instance's CPUs rather than its environment's share. Lambda itself sets
 * `AWS_LAMBDA_MAX_CONCURRENCY` there, from `perExecutionEnvironmentMaxConcurrency`; the component does not.
 */
export function runtimeVariables(resolved: ResolvedArgs): Record<string, string> {
  const variables: Record<string, string> = {};
  if (resolved.cors !== undefined) variables[CORS_SETTINGS_VARIABLE] = corsSettingsJson(resolved.cors);
  const vCpus = resolved.capacityProvider?.vCpus;
  if (vCpus !== undefined) variables[WORKER_COUNT_VARIABLE] = String(vCpus);
  return variables;
}

/**
 * The Lambda function: the managed runtime, whose start-up `AWS_LAMBDA_EXEC_WRAPPER` hands to our bootstrap,
 * and the bundle's zip. The wrapper is put back after `transform.function`, whatever it did to `environment`.
 */
export function createFunction(
  scope: ChildScope,
  resolved: ResolvedArgs,
  inputs: FunctionInputs,
): lambda.Function {
  const defaults = runtimeVariables(resolved);
  const variables = pulumi.output(resolved.environment ?? {}).apply((environment) => {
    if (Object.hasOwn(environment, EXEC_WRAPPER_VARIABLE)) {
      throw new StreamingRestApiArgumentError(scope.name, "environment", ENVIRONMENT_WRAPPER_REFUSAL);
    }
    if (resolved.cors !== undefined && Object.hasOwn(environment, CORS_SETTINGS_VARIABLE)) {
      throw new StreamingRestApiArgumentError(scope.name, "environment", ENVIRONMENT_CORS_REFUSAL);
    }
    // Your own AWS_LAMBDA_NODEJS_WORKER_COUNT wins over the component's.
    return { ...defaults, ...environment, [EXEC_WRAPPER_VARIABLE]: EXEC_WRAPPER_PATH };
  });
  const capacityProvider = resolved.capacityProvider;
  const args: lambda.FunctionArgs = {
    description: `Streams HTTP responses for ${scope.name} (streaming-rest-api runtime)`,
    runtime: LAMBDA_RUNTIME,
    handler: PLACEHOLDER_HANDLER,
    architectures: [resolved.architecture],
    memorySize: resolved.memorySize,
    timeout: resolved.timeout,
    role: inputs.role.arn,
    // A prebuilt .zip keeps bootstrap's exec bit; Pulumi would drop modes zipping a directory itself.
    code: inputs.bundle.apply((built) => new pulumi.asset.FileArchive(built.zipPath)),
    environment: { variables },
    // Lambda hands these to the runtime as AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL.
    loggingConfig: {
      logFormat: resolved.logging.logFormat,
      logGroup: inputs.logGroup.name,
      applicationLogLevel: resolved.logging.applicationLogLevel,
      systemLogLevel: resolved.logging.systemLogLevel,
    },
    tracingConfig: resolved.tracing ? { mode: "Active" } : undefined,
    reservedConcurrentExecutions: resolved.reservedConcurrency,
    kmsKeyArn: resolved.kmsKeyArn,
    deadLetterConfig:
      resolved.deadLetterTargetArn === undefined ? undefined : { targetArn: resolved.deadLetterTargetArn },
    vpcConfig: resolved.vpcConfig,
    // On Lambda Managed Instances, execution environments run a published version; calls to the unqualified
    // ARN (the integration's) go to $LATEST.PUBLISHED, which every update republishes.
    capacityProviderConfig:
      capacityProvider === undefined || inputs.capacityProviderArn === undefined
        ? undefined
        : {
            lambdaManagedInstancesCapacityProviderConfig: {
              capacityProviderArn: inputs.capacityProviderArn,
              perExecutionEnvironmentMaxConcurrency: capacityProvider.perExecutionEnvironmentMaxConcurrency,
              executionEnvironmentMemoryGibPerVcpu: capacityProvider.memoryGibPerVcpu,
            },
          },
    publish: capacityProvider === undefined ? undefined : true,
    publishTo: capacityProvider === undefined ? undefined : "LATEST_PUBLISHED",
  };
  return child(scope, "function", lambda.Function, args, {
    opts: { dependsOn: [inputs.rolePolicy] },
    finish: (transformed) => ({
      ...transformed,
      environment: withExecWrapper(scope.name, transformed.environment, defaults),
    }),
  }).resource;
}

/**
 * `environment` with `AWS_LAMBDA_EXEC_WRAPPER` set to our bootstrap and every other variable kept: object
 * transforms replace `environment` whole, and function transforms may drop it. A transform that sets the
 * wrapper to another value is refused (plain values were refused before; outputs are checked once known).
 * The component's other runtime variables (`defaults`, see {@link runtimeVariables}) come back too when a
 * transform dropped them; a transform that sets one itself wins.
 */
export function withExecWrapper(
  componentName: string,
  environment: lambda.FunctionArgs["environment"],
  defaults: Readonly<Record<string, string>> = {},
): pulumi.Output<{ variables: Record<string, string> }> {
  return pulumi.output(environment).apply((resolved): { variables: Record<string, string> } => {
    const variables: Record<string, string> = { ...defaults, ...resolved?.variables };
    const wrapper = variables[EXEC_WRAPPER_VARIABLE];
    const problem = wrapper === undefined ? undefined : execWrapperProblem(wrapper);
    if (problem !== undefined) {
      throw new StreamingRestApiArgumentError(componentName, "transform.function", problem);
    }
    return { ...resolved, variables: { ...variables, [EXEC_WRAPPER_VARIABLE]: EXEC_WRAPPER_PATH } };
  });
}
