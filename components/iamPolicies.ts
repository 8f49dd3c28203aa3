// IAM policy documents (not the CrossGuard pack in policy/): pure functions of ARNs, least privilege, one place.

/** An IAM policy statement (the subset the component writes). */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow";
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Principal?: { readonly Service: string };
}

/** An IAM policy document. */
export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/** A trust policy letting one AWS service principal (e.g. `lambda.amazonaws.com`) assume the role. */
export function trustPolicy(servicePrincipal: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: servicePrincipal }, Action: "sts:AssumeRole" }],
  };
}

/** What the function's execution role needs, from the component's arguments. */
export interface ExecutionRoleNeeds {
  /** The function's own log group. */
  readonly logGroupArn: string;
  /** X-Ray active tracing is on. */
  readonly tracing: boolean;
  /** The function is attached to a VPC. */
  readonly vpc: boolean;
  /** The key encrypting the environment variables. */
  readonly kmsKeyArn?: string | undefined;
  /** The dead-letter queue or topic. */
  readonly deadLetterTargetArn?: string | undefined;
}

/**
 * The execution role's permissions: write to its own log group only (no `logs:CreateLogGroup`, so Lambda
 * cannot create a group that never expires), plus X-Ray, VPC, KMS and DLQ permissions only when used.
 * X-Ray and the EC2 network-interface calls Lambda makes for VPC access take no resource ARNs
 * (`DescribeNetworkInterfaces` only works on `*`), so those statements use `*`, as AWS documents.
 */
export function executionRolePolicy(needs: ExecutionRoleNeeds): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [`${needs.logGroupArn}:*`],
    },
  ];
  if (needs.tracing) {
    statements.push({
      Sid: "XRayTracing",
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
      Resource: "*",
    });
  }
  if (needs.vpc) {
    statements.push({
      Sid: "VpcNetworkInterfaces",
      Effect: "Allow",
      Action: [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ],
      Resource: "*",
    });
  }
  if (needs.kmsKeyArn !== undefined) {
    statements.push({
      Sid: "DecryptEnvironment",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: needs.kmsKeyArn,
    });
  }
  if (needs.deadLetterTargetArn !== undefined) {
    statements.push({
      Sid: "DeadLetterQueue",
      Effect: "Allow",
      Action: deadLetterAction(needs.deadLetterTargetArn),
      Resource: needs.deadLetterTargetArn,
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * What API Gateway's invoke role may do: invoke this function (and its versions and aliases) with and
 * without response streaming. `InvokeWithResponseStream` is authorized by `lambda:InvokeFunction` per
 * AWS's API reference; both are listed, as the seed's template does, so either reading works.
 */
export function invokeRolePolicy(functionArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "InvokeThisFunction",
        Effect: "Allow",
        Action: ["lambda:InvokeFunction", "lambda:InvokeWithResponseStream"],
        Resource: [functionArn, `${functionArn}:*`],
      },
    ],
  };
}

/** The action Lambda needs to send a failed event to an SQS queue or an SNS topic. */
export function deadLetterAction(targetArn: string): "sqs:SendMessage" | "sns:Publish" {
  const service = targetArn.split(":")[2];
  if (service === "sqs") return "sqs:SendMessage";
  if (service === "sns") return "sns:Publish";
  throw new Error(
    `deadLetterTargetArn must be an SQS queue or SNS topic ARN (got ${JSON.stringify(targetArn)}).`,
  );
}
