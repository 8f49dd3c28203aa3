// Policy: the component's integration is a Lambda proxy on the response-streaming invoke URI, in STREAM mode.
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { AwsType, type IntegrationProps } from "../lib/resourceTypes";
import { ComponentChild, applicableProps, isComponentChild } from "../lib/scope";

/**
 * `arn:<partition>:apigateway:<region>:lambda:path/2021-11-15/functions/<function ARN, optionally
 * qualified>/response-streaming-invocations`: Lambda's InvokeWithResponseStream as API Gateway calls it.
 * (The buffered URI is `.../2015-03-31/functions/.../invocations`.)
 */
export const STREAMING_INVOKE_URI =
  /^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path\/2021-11-15\/functions\/arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9$_-]+)?\/response-streaming-invocations$/;

export const streamingIntegration: ResourceValidationPolicy = {
  name: "streaming-integration",
  description:
    "A StreamingRestApi's integration is AWS_PROXY, POST, on the function's response-streaming invoke URI, " +
    'with responseTransferMode "STREAM"; its CORS preflight integration is a MOCK on OPTIONS.',
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Remove `transform.integration` overrides of type, integrationHttpMethod, uri or responseTransferMode.",
  validateResource: validateStreamingIntegration,
};

function validateStreamingIntegration(args: ResourceValidationArgs, reportViolation: ReportViolation): void {
  const integration = applicableProps<IntegrationProps>(args, AwsType.integration, "component");
  if (isComponentChild(args, ComponentChild.corsIntegration)) {
    validatePreflightIntegration(integration, reportViolation);
    return;
  }
  if (integration.type !== "AWS_PROXY") {
    reportViolation(
      `The integration type is ${JSON.stringify(integration.type)}: streaming needs a Lambda proxy ("AWS_PROXY").`,
    );
  }
  if (integration.integrationHttpMethod !== "POST") {
    reportViolation(
      `The integration calls Lambda with ${JSON.stringify(integration.integrationHttpMethod)}: Lambda is ` +
        'invoked with "POST".',
    );
  }
  const uri = integration.uri ?? "";
  if (!STREAMING_INVOKE_URI.test(uri)) {
    const buffered = uri.includes("/2015-03-31/functions/") ? " (that is the buffered Invoke URI)" : "";
    reportViolation(
      `The integration URI ${JSON.stringify(uri)} is not a function's response-streaming invoke URI` +
        `${buffered}. Use .../2021-11-15/functions/<function ARN>/response-streaming-invocations ` +
        "(the function's responseStreamingInvokeArn).",
    );
  }
  if (integration.responseTransferMode !== "STREAM") {
    reportViolation(
      `The integration's responseTransferMode is ${JSON.stringify(integration.responseTransferMode ?? "BUFFERED")}: ` +
        'set "STREAM", or API Gateway waits for the whole response (which Lambda caps at 6 MB).',
    );
  }
}

/**
 * The component's CORS preflight integration answers OPTIONS by itself (MOCK): its method has no
 * authorization, so it must reach neither the function nor anything else.
 */
function validatePreflightIntegration(integration: IntegrationProps, reportViolation: ReportViolation): void {
  if (integration.type !== "MOCK") {
    reportViolation(
      `The CORS preflight integration has type ${JSON.stringify(integration.type)}: it runs without ` +
        'authorization, so it must be a "MOCK" integration that reaches nothing. Remove the transform.corsIntegration ' +
        "override of type.",
    );
  }
  if (integration.httpMethod !== undefined && integration.httpMethod !== "OPTIONS") {
    reportViolation(
      `The CORS preflight integration is on ${JSON.stringify(integration.httpMethod)}: preflights are OPTIONS requests.`,
    );
  }
}
