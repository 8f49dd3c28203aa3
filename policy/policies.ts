// The pack's contents: every policy, in the order `pulumi up` reports them. Importing this has no side effects.
import type { Policies } from "@pulumi/policy";
import { iamNoWildcards } from "./rules/iamNoWildcards";
import { logRetention } from "./rules/logRetention";
import { publicRoutes } from "./rules/publicRoutes";
import { stageThrottling } from "./rules/stageThrottling";
import { streamingIntegration } from "./rules/streamingIntegration";
import { tlsOnly } from "./rules/tlsOnly";

/** The policy pack's name, as `pulumi up --policy-pack` reports it. */
export const POLICY_PACK_NAME = "streaming-rest-api-security";

/** Every policy of the pack, each "mandatory" unless the policy config lowers it. */
export const policies: Policies = [
  iamNoWildcards,
  publicRoutes,
  logRetention,
  stageThrottling,
  streamingIntegration,
  tlsOnly,
];
