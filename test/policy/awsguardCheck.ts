// `npm run check:awsguard`: the StreamingRestApi's resources against @pulumi/awsguard's policies (from .peers/).
//
// The first run installs @pulumi/awsguard into .peers/awsguard (it needs @pulumi/aws 4 and aws-sdk 2, which the
// project does not use). Failures explained below are printed as expected; the check exits 1 when awsguard
// reports a failure this file does not explain, or an explained one no longer happens. It lives with the tests
// (not in policy/, the CrossGuard pack) because it records the component under the tests' Pulumi mocks.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { deployComponent, EVERY_OPTION } from "./componentResources";
import { validateResource, validateStack, type PolicySubject } from "./policyHarness";

/** The awsguard release checked (the last one; it targets @pulumi/aws 4). */
export const AWSGUARD_VERSION = "0.3.1";

/** awsguard's modules, each registering policies (all exported, and documented as internal). */
const AWSGUARD_MODULES = [
  "apiGateway",
  "compute",
  "database",
  "elasticsearch",
  "network",
  "security",
  "storage",
];

/** Why the component fails an awsguard policy: a few words for the result's row, then the whole reason. */
export interface ExplainedFailure {
  readonly reason: string;
  readonly details: string;
}

/**
 * Why the component fails each awsguard policy it fails, with its default configuration. The check fails
 * when this list and the results disagree, so the documentation (docs/security.md) stays true.
 */
export const EXPLAINED_FAILURES: Readonly<Record<string, ExplainedFailure>> = {
  "apigateway-stage-cached": {
    reason: "STREAM responses cannot be cached",
    details:
      "API Gateway does not support caching with STREAM responses; the component refuses cacheClusterEnabled.",
  },
  "apigateway-method-cached-and-encrypted": {
    reason: "STREAM responses cannot be cached, so there is no cache to encrypt",
    details:
      "Response caching is not available for streamed responses (the component refuses " +
      "settings.cachingEnabled), so there is no cache to encrypt either.",
  },
  "apigateway-endpoint-type": {
    reason: "REGIONAL on purpose: EDGE cuts streams idle for 30 s",
    details:
      "awsguard allows only EDGE by default. EDGE ends a stream after 30 s without a byte; the component " +
      "defaults to REGIONAL (5 minutes). Passes with the policy config allowRegional: true.",
  },
};

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const INSTALL_DIR = path.join(REPO_ROOT, ".peers", "awsguard");
const PACKAGE_DIR = path.join(INSTALL_DIR, "node_modules", "@pulumi", "awsguard");

/** Installs @pulumi/awsguard into .peers/awsguard unless the pinned version is there already. */
export function ensureAwsGuard(log: (line: string) => void): string {
  if (installedVersion() === AWSGUARD_VERSION) return PACKAGE_DIR;
  log(`awsguard: installing @pulumi/awsguard@${AWSGUARD_VERSION} into ${INSTALL_DIR}`);
  mkdirSync(INSTALL_DIR, { recursive: true });
  // Install scripts stay off: @pulumi/aws 4 would download its provider plugin, which policies never run.
  const manifest = {
    private: true,
    allowScripts: { "@pulumi/aws": false, "aws-sdk": false, protobufjs: false },
  };
  writeFileSync(path.join(INSTALL_DIR, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  execFileSync(
    "npm",
    ["install", "--no-audit", "--no-fund", "--save-exact", `@pulumi/awsguard@${AWSGUARD_VERSION}`],
    { cwd: INSTALL_DIR, stdio: ["ignore", "ignore", "inherit"] },
  );
  const version = installedVersion();
  if (version !== AWSGUARD_VERSION) {
    throw new Error(
      `expected @pulumi/awsguard ${AWSGUARD_VERSION} in ${PACKAGE_DIR}, found ${version ?? "none"}`,
    );
  }
  return PACKAGE_DIR;
}

function installedVersion(): string | undefined {
  const manifest = path.join(PACKAGE_DIR, "package.json");
  if (!existsSync(manifest)) return undefined;
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version.replace(/^v/, "");
}

/** Every policy awsguard defines, read from its modules' exports. */
export function loadAwsGuardPolicies(packageDir: string): Policy[] {
  const policies: Policy[] = [];
  for (const module of AWSGUARD_MODULES) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a package outside the project's tree
    const exports = require(path.join(packageDir, module)) as Record<string, unknown>;
    for (const value of Object.values(exports)) {
      if (isPolicy(value)) policies.push(value);
    }
  }
  return policies;
}

function isPolicy(value: unknown): value is Policy {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Policy).name === "string" &&
    ("validateResource" in value || "validateStack" in value)
  );
}

/** What one awsguard policy said about one deployment of the component. */
export interface AwsGuardResult {
  readonly policy: string;
  /** The resource types it checked (empty: not applicable to anything the component creates). */
  readonly checked: readonly string[];
  readonly violations: readonly { readonly resource: string; readonly message: string }[];
}

/** Runs every awsguard policy over the component's resources, with each policy's default configuration. */
export async function checkWithAwsGuard(
  policies: readonly Policy[],
  subjects: readonly PolicySubject[],
  config: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {},
): Promise<AwsGuardResult[]> {
  const results: AwsGuardResult[] = [];
  for (const policy of policies) {
    const checked = new Set<string>();
    const violations: { resource: string; message: string }[] = [];
    if ("validateStack" in policy) {
      const outcome = await validateStack(policy as StackValidationPolicy, subjects, config[policy.name]);
      if (outcome.notApplicable === undefined) checked.add("(stack)");
      for (const { message } of outcome.violations) violations.push({ resource: "(stack)", message });
    } else {
      for (const subject of subjects) {
        const outcome = await validateResource(
          policy as ResourceValidationPolicy,
          subject,
          config[policy.name],
        );
        if (outcome.notApplicable !== undefined) continue;
        checked.add(subject.type);
        for (const message of outcome.violations) violations.push({ resource: subject.name, message });
      }
    }
    results.push({ policy: policy.name, checked: [...checked], violations });
  }
  return results;
}

async function main(): Promise<void> {
  const packageDir = ensureAwsGuard((line) => console.log(line));
  // Record the component first, under the project's own @pulumi/pulumi mocks; awsguard loads its own copies.
  const deployments: [string, PolicySubject[]][] = [
    ["defaults", await deployComponent("awsguard-defaults")],
    ["all options", await deployComponent("awsguard-options", EVERY_OPTION)],
  ];
  // aws-sdk 2 prints an end-of-support notice when loaded; the policies that would call AWS never apply here.
  process.env["AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE"] ??= "1";
  const policies = loadAwsGuardPolicies(packageDir);

  const failed = new Set<string>();
  const applicable = new Set<string>();
  let expectedRows = 0;
  for (const [label, subjects] of deployments) {
    console.log(`\n## ${label}\n\n| awsguard policy | checks | result |\n| --- | --- | --- |`);
    for (const result of await checkWithAwsGuard(policies, subjects)) {
      if (result.checked.length === 0) continue;
      applicable.add(result.policy);
      if (result.violations.length > 0) failed.add(result.policy);
      if (result.violations.length > 0 && result.policy in EXPLAINED_FAILURES) expectedRows += 1;
      console.log(`| ${result.policy} | ${result.checked.join(", ")} | ${verdict(result)} |`);
    }
  }
  console.log(
    `\n${applicable.size} of awsguard ${AWSGUARD_VERSION}'s ${policies.length} policies apply to the component's ` +
      "resources; the others check resource types it does not create (EC2, ELB, RDS, Redshift, S3, ...).",
  );

  const endpointType = policies.find((policy) => policy.name === "apigateway-endpoint-type");
  if (endpointType !== undefined) {
    const [, subjects] = deployments[0] as [string, PolicySubject[]];
    const [withConfig] = await checkWithAwsGuard([endpointType], subjects, {
      "apigateway-endpoint-type": { allowRegional: true },
    });
    console.log(
      `apigateway-endpoint-type with allowRegional: true: ${withConfig?.violations.length === 0 ? "pass" : "FAIL (unexpected)"}`,
    );
    if (withConfig?.violations.length !== 0) failed.add("apigateway-endpoint-type (allowRegional: true)");
  }

  const unexplained = [...failed].filter((name) => !(name in EXPLAINED_FAILURES));
  const stale = EXPLAINED_KEYS.filter((name) => !failed.has(name));
  console.log("\nExpected failures, and why:");
  for (const name of EXPLAINED_KEYS) console.log(`- ${name}: ${EXPLAINED_FAILURES[name]?.details}`);
  console.log(
    `\n${expectedRows} results failed as expected (explained above); ${unexplained.length} failed unexpectedly.`,
  );
  if (unexplained.length > 0 || stale.length > 0) {
    console.error(
      `\nunexplained failures: ${unexplained.join(", ") || "none"}; explained but passing: ${stale.join(", ") || "none"}`,
    );
    process.exitCode = 1;
  }
}

const EXPLAINED_KEYS = Object.keys(EXPLAINED_FAILURES);

/** A result's table cell: pass, an expected failure with its reason, or FAIL for one nobody explained. */
function verdict(result: AwsGuardResult): string {
  if (result.violations.length === 0) return "pass";
  const where = result.violations.map(({ resource, message }) => `${resource}: ${message}`).join("; ");
  const explained = EXPLAINED_FAILURES[result.policy];
  return explained === undefined ? `FAIL: ${where}` : `expected failure (${explained.reason}): ${where}`;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
