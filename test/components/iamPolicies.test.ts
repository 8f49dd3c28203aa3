// IAM documents: exact actions and resources, extras only when their arguments are set.
import { expect } from "chai";
import {
  deadLetterAction,
  executionRolePolicy,
  invokeRolePolicy,
  trustPolicy,
  type PolicyStatement,
} from "../../components/iamPolicies";

const LOG_GROUP_ARN = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/api-x";
const FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:api-fn-1234567";

function bySid(statements: readonly PolicyStatement[]): Record<string, PolicyStatement> {
  return Object.fromEntries(statements.map((statement) => [statement.Sid ?? "", statement]));
}

describe("IAM policies", function () {
  it("trust exactly one service principal", function () {
    expect(trustPolicy("apigateway.amazonaws.com")).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    });
  });

  it("let API Gateway invoke only this function and its qualified ARNs, streaming or not", function () {
    expect(invokeRolePolicy(FUNCTION_ARN).Statement).to.deep.equal([
      {
        Sid: "InvokeThisFunction",
        Effect: "Allow",
        Action: ["lambda:InvokeFunction", "lambda:InvokeWithResponseStream"],
        Resource: [FUNCTION_ARN, `${FUNCTION_ARN}:*`],
      },
    ]);
  });

  it("let the function write to its own log group only, by default", function () {
    const policy = executionRolePolicy({ logGroupArn: LOG_GROUP_ARN, tracing: false, vpc: false });
    expect(policy.Statement).to.deep.equal([
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [`${LOG_GROUP_ARN}:*`],
      },
    ]);
    expect(JSON.stringify(policy)).to.not.include("logs:CreateLogGroup");
  });

  it("add X-Ray, VPC, KMS and dead-letter permissions only for the arguments set", function () {
    const statements = bySid(
      executionRolePolicy({
        logGroupArn: LOG_GROUP_ARN,
        tracing: true,
        vpc: true,
        kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc",
        deadLetterTargetArn: "arn:aws:sqs:eu-west-1:123456789012:dlq",
      }).Statement,
    );
    expect(Object.keys(statements)).to.deep.equal([
      "WriteOwnLogs",
      "XRayTracing",
      "VpcNetworkInterfaces",
      "DecryptEnvironment",
      "DeadLetterQueue",
    ]);
    expect(statements["XRayTracing"]?.Action).to.deep.equal([
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
    ]);
    expect(statements["VpcNetworkInterfaces"]?.Action).to.include.members([
      "ec2:CreateNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DeleteNetworkInterface",
    ]);
    expect(statements["DecryptEnvironment"]).to.include({
      Action: "kms:Decrypt",
      Resource: "arn:aws:kms:eu-west-1:123456789012:key/abc",
    });
    expect(statements["DeadLetterQueue"]).to.include({
      Action: "sqs:SendMessage",
      Resource: "arn:aws:sqs:eu-west-1:123456789012:dlq",
    });
  });

  it("send dead letters with the action of the target's service", function () {
    expect(deadLetterAction("arn:aws:sns:eu-west-1:123456789012:topic")).to.equal("sns:Publish");
    expect(deadLetterAction("arn:aws:sqs:eu-west-1:123456789012:queue")).to.equal("sqs:SendMessage");
    expect(() => deadLetterAction("arn:aws:s3:::bucket")).to.throw(/SQS queue or SNS topic/);
  });
});
