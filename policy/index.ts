// Entry point of `pulumi up --policy-pack policy`: registers the pack, which starts Pulumi's analyzer server.
import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_NAME, policies } from "./policies";

new PolicyPack(POLICY_PACK_NAME, {
  policies,
  enforcementLevel: "mandatory",
  displayName: "StreamingRestApi security",
  description:
    "Least privilege and safe defaults for the StreamingRestApi component: no IAM wildcards, no public " +
    "routes unless allowed, log retention, stage throttling, a streaming integration, TLS 1.2 or later.",
  provider: "aws",
  tags: ["aws", "apigateway", "lambda", "security"],
});
