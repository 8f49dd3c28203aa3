// Pulumi type tokens of the AWS resources the policies read, and the input fields they read from each.

/** Type tokens of `@pulumi/aws` resources (stable across provider major versions). */
export const AwsType = {
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  policy: "aws:iam/policy:Policy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  function: "aws:lambda/function:Function",
  restApi: "aws:apigateway/restApi:RestApi",
  domainName: "aws:apigateway/domainName:DomainName",
  method: "aws:apigateway/method:Method",
  integration: "aws:apigateway/integration:Integration",
  stage: "aws:apigateway/stage:Stage",
  methodSettings: "aws:apigateway/methodSettings:MethodSettings",
} as const;

/** `aws.iam.Role` inputs the IAM policy reads. */
export interface RoleProps {
  readonly assumeRolePolicy?: unknown;
  readonly inlinePolicies?: readonly { readonly name?: string; readonly policy?: unknown }[];
  readonly managedPolicyArns?: readonly string[];
}

/** `aws.iam.RolePolicy` and `aws.iam.Policy` inputs. */
export interface PolicyDocumentProps {
  readonly policy?: unknown;
}

/** `aws.iam.RolePolicyAttachment` inputs. */
export interface RolePolicyAttachmentProps {
  readonly policyArn?: string;
}

/** `aws.cloudwatch.LogGroup` inputs. */
export interface LogGroupProps {
  readonly name?: string;
  readonly namePrefix?: string;
  readonly retentionInDays?: number;
}

/** `aws.lambda.Function` inputs. */
export interface FunctionProps {
  readonly loggingConfig?: { readonly logGroup?: string; readonly logFormat?: string };
}

/** `aws.apigateway.RestApi` inputs. */
export interface RestApiProps {
  readonly securityPolicy?: string;
  readonly endpointAccessMode?: string;
  readonly disableExecuteApiEndpoint?: boolean;
}

/** `aws.apigateway.DomainName` inputs. */
export interface DomainNameProps {
  readonly domainName?: string;
  readonly securityPolicy?: string;
}

/** `aws.apigateway.Method` inputs. */
export interface MethodProps {
  readonly httpMethod?: string;
  readonly authorization?: string;
}

/** `aws.apigateway.Integration` inputs. */
export interface IntegrationProps {
  readonly httpMethod?: string;
  readonly type?: string;
  readonly integrationHttpMethod?: string;
  readonly uri?: string;
  readonly responseTransferMode?: string;
}

/** `aws.apigateway.Stage` inputs (and outputs, in stack policies). */
export interface StageProps {
  readonly restApi?: string;
  readonly stageName?: string;
}

/** `aws.apigateway.MethodSettings` inputs (and outputs, in stack policies). */
export interface MethodSettingsProps {
  readonly restApi?: string;
  readonly stageName?: string;
  readonly methodPath?: string;
  readonly settings?: {
    readonly throttlingRateLimit?: number;
    readonly throttlingBurstLimit?: number;
  };
}
