// The authorization argument with its cognito and authorizer settings, checked together, defaults applied.
import type * as pulumi from "@pulumi/pulumi";
import { DEFAULTS } from "./args";
import { checkChoice, isIntegerIn, isPlainObject, type Fail } from "./checks";
import { Authorization, AuthorizerType } from "./enums";

/** How the route is authorized, resolved: the choice and, for the authorizers, their settings. */
export type ResolvedAuthorization =
  | { readonly kind: typeof Authorization.AwsIam | typeof Authorization.None }
  | {
      readonly kind: typeof Authorization.CognitoUserPools;
      readonly userPoolArns: readonly pulumi.Input<string>[];
      readonly scopes: readonly string[];
    }
  | {
      readonly kind: typeof Authorization.Custom;
      readonly functionArn: pulumi.Input<string>;
      readonly type: AuthorizerType;
      readonly identitySources: readonly string[];
      readonly resultTtlInSeconds: number;
    };

/** The authorization arguments of the component. */
export interface AuthorizationArgs {
  readonly authorization?: unknown;
  readonly cognito?: unknown;
  readonly authorizer?: unknown;
}

/** API Gateway's longest authorizer cache, in seconds. */
export const AUTHORIZER_MAX_TTL_SECONDS = 3600;

const USER_POOL_ARN = /^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[A-Za-z0-9-]+_[A-Za-z0-9]+$/;
const FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9$_-]+)?$/;
const SCOPE = /^[\x21-\x7e]+$/;
const NAME = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const HEADER_SOURCE = new RegExp(`^method\\.request\\.header\\.${NAME}$`);
const REQUEST_SOURCE = new RegExp(
  `^(?:method\\.request\\.(?:header|querystring)\\.${NAME}|stageVariables\\.[A-Za-z0-9_]+|context\\.[A-Za-z0-9_.]+)$`,
);

/**
 * Checks `authorization` with `cognito` and `authorizer`: each set of settings goes with its own choice, and
 * that choice needs it (`COGNITO_USER_POOLS` with `cognito`, `CUSTOM` with `authorizer`); a TOKEN authorizer
 * takes exactly one header; plain ARNs are of the right service (outputs are left to AWS).
 */
export function resolveAuthorization(args: AuthorizationArgs, fail: Fail): ResolvedAuthorization {
  const kind = checkChoice(
    "authorization",
    args.authorization ?? DEFAULTS.authorization,
    Authorization,
    fail,
  );
  if (args.cognito !== undefined && kind !== Authorization.CognitoUserPools) {
    fail(
      "cognito",
      `cognito is set but authorization is ${JSON.stringify(kind)}: user pools are used with authorization ` +
        '"COGNITO_USER_POOLS" only. Set authorization to "COGNITO_USER_POOLS", or remove cognito.',
    );
  }
  if (args.authorizer !== undefined && kind !== Authorization.Custom) {
    fail(
      "authorizer",
      `authorizer is set but authorization is ${JSON.stringify(kind)}: a Lambda authorizer is used with ` +
        'authorization "CUSTOM" only. Set authorization to "CUSTOM", or remove authorizer.',
    );
  }
  if (kind === Authorization.CognitoUserPools) return resolveCognito(args.cognito, fail);
  if (kind === Authorization.Custom) return resolveCustom(args.authorizer, fail);
  return { kind };
}

function resolveCognito(raw: unknown, fail: Fail): ResolvedAuthorization {
  if (raw === undefined) {
    return fail(
      "cognito",
      'authorization "COGNITO_USER_POOLS" needs cognito: { userPoolArns: [...] }, the user pools whose tokens ' +
        "the route accepts.",
    );
  }
  if (!isPlainObject(raw))
    return fail("cognito", "cognito must be an object: { userPoolArns: [...], scopes?: [...] }.");
  const arns = raw["userPoolArns"];
  if (!Array.isArray(arns) || arns.length === 0) {
    return fail(
      "cognito.userPoolArns",
      "cognito.userPoolArns must list at least one user pool ARN (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/ID).",
    );
  }
  arns.forEach((arn: unknown, index) => {
    if (typeof arn === "string" && !USER_POOL_ARN.test(arn)) {
      fail(
        "cognito.userPoolArns",
        `cognito.userPoolArns[${index}] ${JSON.stringify(arn)} is not a user pool ARN: write ` +
          "arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID (the pool's ARN, not its id or name).",
      );
    }
  });
  const scopes = raw["scopes"] ?? [];
  if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === "string" && SCOPE.test(scope))) {
    return fail(
      "cognito.scopes",
      'cognito.scopes must be a list of OAuth scopes without spaces, e.g. ["reports/read"].',
    );
  }
  return {
    kind: Authorization.CognitoUserPools,
    userPoolArns: [...(arns as pulumi.Input<string>[])],
    scopes: [...(scopes as string[])],
  };
}

function resolveCustom(raw: unknown, fail: Fail): ResolvedAuthorization {
  if (raw === undefined) {
    return fail(
      "authorizer",
      'authorization "CUSTOM" needs authorizer: { functionArn }, the Lambda authorizer function that admits callers.',
    );
  }
  if (!isPlainObject(raw)) {
    return fail(
      "authorizer",
      "authorizer must be an object: { functionArn, type?, identitySources?, resultTtlInSeconds? }.",
    );
  }
  const functionArn = raw["functionArn"];
  if (functionArn === undefined || functionArn === null || functionArn === "") {
    return fail(
      "authorizer.functionArn",
      "authorizer.functionArn must be the ARN of the authorizer function.",
    );
  }
  if (typeof functionArn === "string" && !FUNCTION_ARN.test(functionArn)) {
    fail(
      "authorizer.functionArn",
      `authorizer.functionArn ${JSON.stringify(functionArn)} is not a Lambda function ARN: write ` +
        "arn:aws:lambda:REGION:ACCOUNT:function:NAME (optionally :VERSION or :ALIAS).",
    );
  }
  const type = checkChoice("authorizer.type", raw["type"] ?? DEFAULTS.authorizerType, AuthorizerType, fail);
  const resultTtlInSeconds = raw["resultTtlInSeconds"] ?? DEFAULTS.authorizerResultTtlInSeconds;
  if (!isIntegerIn(resultTtlInSeconds, 0, AUTHORIZER_MAX_TTL_SECONDS)) {
    fail(
      "authorizer.resultTtlInSeconds",
      `authorizer.resultTtlInSeconds must be a whole number of seconds from 0 (no caching) to ` +
        `${AUTHORIZER_MAX_TTL_SECONDS} (got ${String(resultTtlInSeconds)}).`,
    );
  }
  const identitySources = resolveIdentitySources(
    raw["identitySources"],
    type,
    resultTtlInSeconds as number,
    fail,
  );
  return {
    kind: Authorization.Custom,
    functionArn: functionArn as pulumi.Input<string>,
    type,
    identitySources,
    resultTtlInSeconds: resultTtlInSeconds as number,
  };
}

function resolveIdentitySources(raw: unknown, type: AuthorizerType, ttl: number, fail: Fail): string[] {
  const argument = "authorizer.identitySources";
  const sources = raw ?? DEFAULTS.authorizerIdentitySources;
  if (!Array.isArray(sources)) {
    return fail(argument, `${argument} must be a list, e.g. ["method.request.header.Authorization"].`);
  }
  if (type === AuthorizerType.Token) {
    if (sources.length !== 1 || typeof sources[0] !== "string" || !HEADER_SOURCE.test(sources[0])) {
      return fail(
        argument,
        `a TOKEN authorizer reads exactly one header: ${argument} must be one entry ` +
          `"method.request.header.NAME" (got ${JSON.stringify(sources)}). Use type "REQUEST" for other sources.`,
      );
    }
    return [sources[0]];
  }
  if (sources.length === 0 && ttl > 0) {
    return fail(
      argument,
      `${argument} is empty while results are cached (resultTtlInSeconds ${ttl}): API Gateway caches by identity ` +
        "source. Name at least one, or set resultTtlInSeconds to 0.",
    );
  }
  const seen = new Set<string>();
  sources.forEach((source: unknown, index) => {
    if (typeof source !== "string" || !REQUEST_SOURCE.test(source)) {
      fail(
        argument,
        `${argument}[${index}] ${JSON.stringify(source)} is not an identity source: use method.request.header.NAME, ` +
          "method.request.querystring.NAME, stageVariables.NAME or context.NAME.",
      );
    }
    if (seen.has(source as string))
      fail(argument, `${argument} lists ${JSON.stringify(source)} twice. Remove one.`);
    seen.add(source as string);
  });
  return [...(sources as string[])];
}
