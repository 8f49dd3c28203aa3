// The route's authorizer: a Cognito user pools or Lambda (REQUEST, TOKEN) authorizer, and the Lambda permission.
import * as apigateway from "@pulumi/aws/apigateway";
import * as lambda from "@pulumi/aws/lambda";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedAuthorization } from "./authorization";
import { child, type ChildScope, type Created } from "./children";
import { Authorization } from "./enums";
import { StreamingRestApiArgumentError } from "./validation";

/** The header a Cognito user pools authorizer reads the token from. */
export const COGNITO_IDENTITY_SOURCE = "method.request.header.Authorization";

/** The authorizer, and for a Lambda authorizer the permission that lets API Gateway call its function. */
export interface AuthorizerChildren {
  readonly authorizer: Created<apigateway.Authorizer, apigateway.AuthorizerArgs>;
  readonly permission: lambda.Permission | undefined;
}

/**
 * The authorizer of `authorization` `COGNITO_USER_POOLS` or `CUSTOM` (none for `AWS_IAM` and `NONE`).
 *
 * A Lambda authorizer's function is invoked with a resource-based permission rather than an authorizer
 * credentials role: the permission names `apigateway.amazonaws.com` and this API's authorizer's own ARN
 * (`<execution ARN>/authorizers/<id>`) as its source, so no other API, stage-less caller or other authorizer
 * of the account can use it, and no role exists that could be passed to anything else. (A role would need
 * `lambda:InvokeFunction` on the function plus a trust policy, and still be usable by any API it is given to.)
 */
export function createAuthorizer(
  scope: ChildScope,
  authorization: ResolvedAuthorization,
  restApi: apigateway.RestApi,
): AuthorizerChildren | undefined {
  if (authorization.kind === Authorization.CognitoUserPools) {
    const authorizer = child(scope, "authorizer", apigateway.Authorizer, {
      restApi: restApi.id,
      type: "COGNITO_USER_POOLS",
      providerArns: [...authorization.userPoolArns],
      identitySource: COGNITO_IDENTITY_SOURCE,
    });
    return { authorizer, permission: undefined };
  }
  if (authorization.kind !== Authorization.Custom) return undefined;
  const functionArn = pulumi.output(authorization.functionArn);
  const authorizer = child(scope, "authorizer", apigateway.Authorizer, {
    restApi: restApi.id,
    type: authorization.type,
    authorizerUri: functionArn.apply((arn) => authorizerUri(scope.name, arn)),
    identitySource:
      authorization.identitySources.length > 0 ? authorization.identitySources.join(",") : undefined,
    authorizerResultTtlInSeconds: authorization.resultTtlInSeconds,
  });
  const permission = child(scope, "authorizerPermission", lambda.Permission, {
    action: "lambda:InvokeFunction",
    function: functionArn,
    principal: "apigateway.amazonaws.com",
    sourceArn: pulumi.interpolate`${restApi.executionArn}/authorizers/${authorizer.resource.id}`,
  }).resource;
  return { authorizer, permission };
}

/**
 * The URI API Gateway calls a Lambda authorizer with: Lambda's Invoke API in the function's own partition and
 * region, read from its ARN (`arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`).
 */
export function authorizerUri(componentName: string, functionArn: string): string {
  const [prefix, partition, service, region] = functionArn.split(":");
  if (prefix !== "arn" || service !== "lambda" || !partition || !region) {
    throw new StreamingRestApiArgumentError(
      componentName,
      "authorizer.functionArn",
      `authorizer.functionArn resolved to ${JSON.stringify(functionArn)}, which is not a Lambda function ARN.`,
    );
  }
  return `arn:${partition}:apigateway:${region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`;
}
