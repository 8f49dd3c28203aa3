// A Lambda Managed Instances capacity provider the component creates, with the operator role Lambda assumes.
import * as iam from "@pulumi/aws/iam";
import * as lambda from "@pulumi/aws/lambda";
import type * as pulumi from "@pulumi/pulumi";
import type { CreatedCapacityProviderSettings } from "./capacityProviderSettings";
import { child, type ChildScope } from "./children";
import type { Architecture } from "./enums";
import { trustPolicy } from "./iamPolicies";

/**
 * The AWS managed policy AWS documents as the operator role's minimum ("Lambda operator role for Lambda
 * Managed Instances"): EC2 instances, network interfaces and volumes tagged as managed by Lambda's scaler,
 * launched from Amazon's images into the given subnets and security groups, plus the Describe calls. AWS
 * updates it as Managed Instances evolve. (In the `aws` partition; `transform.capacityProviderRolePolicy`
 * changes it for another.)
 */
export const CAPACITY_PROVIDER_OPERATOR_POLICY_ARN =
  "arn:aws:iam::aws:policy/AWSLambdaManagedEC2ResourceOperator";

/**
 * The operator role (trusted by Lambda only, with the managed policy) and the capacity provider in the given
 * subnets, for the function's architecture, with the instance types and vCPU ceiling asked for.
 */
export function createCapacityProvider(
  scope: ChildScope,
  settings: CreatedCapacityProviderSettings,
  architecture: Architecture,
): lambda.CapacityProvider {
  const role = child(scope, "capacityProviderRole", iam.Role, {
    description: `Lets Lambda manage the instances of the ${scope.name} capacity provider`,
    assumeRolePolicy: JSON.stringify(trustPolicy("lambda.amazonaws.com")),
  }).resource;
  const attachment = child(scope, "capacityProviderRolePolicy", iam.RolePolicyAttachment, {
    role: role.name,
    policyArn: CAPACITY_PROVIDER_OPERATOR_POLICY_ARN,
  }).resource;
  const args: lambda.CapacityProviderArgs = {
    vpcConfig: {
      subnetIds: settings.subnetIds as pulumi.Input<pulumi.Input<string>[]>,
      securityGroupIds: settings.securityGroupIds as pulumi.Input<pulumi.Input<string>[]>,
    },
    permissionsConfig: { capacityProviderOperatorRoleArn: role.arn },
    // One architecture per capacity provider: the function's (Lambda's default would be x86_64).
    instanceRequirements: [
      {
        architectures: [architecture],
        allowedInstanceTypes: [...(settings.instanceTypes ?? [])],
        excludedInstanceTypes: [],
      },
    ],
    capacityProviderScalingConfigs:
      settings.maxVCpuCount === undefined
        ? undefined
        : [{ maxVcpuCount: settings.maxVCpuCount, scalingMode: "Auto", scalingPolicies: [] }],
  };
  // The role must be able to launch instances when Lambda first scales the provider.
  return child(scope, "capacityProvider", lambda.CapacityProvider, args, {
    opts: { dependsOn: [attachment] },
  }).resource;
}
