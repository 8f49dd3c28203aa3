// The example stack: one StreamingRestApi serving handler/index.ts, configured from Pulumi.yaml's config block.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  StreamingRestApi,
  type CapacityProvider,
  type CognitoAuthorization,
  type Cors,
  type CustomAuthorizer,
  type CustomDomain,
} from "./components";

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
  authorization: config.get("authorization", {
    allowedValues: ["AWS_IAM", "NONE", "COGNITO_USER_POOLS", "CUSTOM"] as const,
  }),
  // Structured settings: `pulumi config set --path 'cors.allowOrigins[0]' https://app.example.com`, or the
  // objects in Pulumi.<stack>.yaml (see Pulumi.dev.yaml). The component checks them.
  cognito: config.getObject<CognitoAuthorization>("cognito"),
  authorizer: config.getObject<CustomAuthorizer>("authorizer"),
  cors: config.getObject<Cors>("cors"),
  domain: config.getObject<CustomDomain>("domain"),
  capacityProvider: config.getObject<CapacityProvider>("capacityProvider"),
  endpointType: config.get("endpointType", { allowedValues: ["REGIONAL", "EDGE"] as const }),
  throttle: {
    rateLimit: config.getNumber("throttleRateLimit"),
    burstLimit: config.getNumber("throttleBurstLimit"),
  },
  accessLogging: config.getBoolean("accessLogging"),
});

/**
 * The route's URL, on the custom domain when `domain` is set (curl it with --aws-sigv4, with a token for
 * COGNITO_USER_POOLS or CUSTOM, or plainly when authorization is NONE).
 */
export const apiUrl = api.url;
/** The function's ARN. */
export const lambdaArn = api.functionArn;
export const functionName = api.functionName;
export const restApiId = api.restApiId;
export const stageName = api.stageName;
export const invokeRoleArn = api.invokeRoleArn;
/** Size of the deployed bundle (runtime + handler, minified), in bytes. */
export const bundleBytes = api.bundleBytes;
