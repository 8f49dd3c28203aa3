// The example stack: one StreamingRestApi serving handler/index.ts, configured from Pulumi.yaml's config block.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { StreamingRestApi } from "./components";

const config = new pulumi.Config();

const api = new StreamingRestApi("streaming-numbers", {
  handler: path.join(__dirname, "handler", "index.ts"),
  memorySize: config.getNumber("memorySize"),
  timeout: config.getNumber("timeout"),
  architecture: config.get("architecture", { allowedValues: ["arm64", "x86_64"] as const }),
  logRetentionInDays: config.getNumber("logRetentionInDays"),
  tracing: config.getBoolean("tracing"),
  path: config.get("path"),
  stageName: config.get("stageName"),
  authorization: config.get("authorization", { allowedValues: ["AWS_IAM", "NONE"] as const }),
  endpointType: config.get("endpointType", { allowedValues: ["REGIONAL", "EDGE"] as const }),
  throttle: {
    rateLimit: config.getNumber("throttleRateLimit"),
    burstLimit: config.getNumber("throttleBurstLimit"),
  },
  accessLogging: config.getBoolean("accessLogging"),
});

/** The route's invoke URL (curl it with --aws-sigv4, or plainly when authorization is NONE). */
export const apiUrl = api.url;
/** The function's ARN. */
export const lambdaArn = api.functionArn;
export const functionName = api.functionName;
export const restApiId = api.restApiId;
export const stageName = api.stageName;
export const invokeRoleArn = api.invokeRoleArn;
/** Size of the deployed bundle (runtime + handler, minified), in bytes. */
export const bundleBytes = api.bundleBytes;
