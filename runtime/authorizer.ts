// What an API Gateway authorizer handed the function, typed: Cognito claims, a Lambda authorizer's context, scopes.
//
// API Gateway puts it in the REST API event's `requestContext.authorizer`: for a Cognito user pools authorizer
// `{ claims: { sub, email, ... } }`, every claim a string; for a Lambda authorizer the `context` its policy
// returned, numbers and booleans turned into strings, with the policy's `principalId` (and
// `integrationLatency`). With AWS_IAM or NONE authorization there is none (IAM callers are in
// `requestContext.identity`).

/** An event carrying `requestContext.authorizer`: a parsed REST API event (`parseRestApiEvent`) will do. */
export interface AuthorizedEvent {
  readonly requestContext?: { readonly authorizer?: unknown } | null;
}

/**
 * The claims of the Cognito user pools token the caller sent (`requestContext.authorizer.claims`), e.g.
 * `sub`, `email`, `cognito:username`, `cognito:groups`, `scope`. Every value is a string, as API Gateway
 * passes them (`email_verified` is `"true"`). Name the claims you read to type them:
 * `authorizerClaims<"email" | "cognito:groups">(event)?.email`.
 * @param event The parsed event.
 * @returns The claims, or `undefined` when the route has no Cognito authorizer.
 */
export function authorizerClaims<TClaim extends string = string>(
  event: AuthorizedEvent,
): Readonly<Partial<Record<TClaim | "sub", string>>> | undefined {
  const claims = authorizerOf(event)?.["claims"];
  if (!isRecord(claims)) return undefined;
  return stringValues(claims) as Partial<Record<TClaim | "sub", string>>;
}

/**
 * The context a Lambda authorizer returned with its policy (`requestContext.authorizer`), with its
 * `principalId`. API Gateway turns numbers and booleans into strings; so does this (`integrationLatency`
 * too), and it leaves out anything else (Cognito's `claims` object: see {@link authorizerClaims}). Name the
 * keys you read to type them: `authorizerContext<"tenantId">(event)?.tenantId`.
 * @param event The parsed event.
 * @returns The context, or `undefined` when the route has no authorizer.
 */
export function authorizerContext<TKey extends string = string>(
  event: AuthorizedEvent,
): Readonly<Partial<Record<TKey | "principalId", string>>> | undefined {
  const authorizer = authorizerOf(event);
  if (authorizer === undefined) return undefined;
  return stringValues(authorizer) as Partial<Record<TKey | "principalId", string>>;
}

/**
 * The OAuth scopes of the caller's Cognito access token (its `scope` claim, space-separated), e.g.
 * `["reports/read"]`; empty for an ID token or without a Cognito authorizer.
 * @param event The parsed event.
 */
export function authorizerScopes(event: AuthorizedEvent): string[] {
  const scope = authorizerClaims<"scope">(event)?.scope;
  return scope === undefined ? [] : scope.split(/\s+/).filter((item) => item !== "");
}

function authorizerOf(event: AuthorizedEvent): Record<string, unknown> | undefined {
  const authorizer = event.requestContext?.authorizer;
  return isRecord(authorizer) ? authorizer : undefined;
}

/** The string, number and boolean entries of `record`, as strings; others (objects, null) left out. */
function stringValues(record: Readonly<Record<string, unknown>>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === "string") values[key] = value;
    else if (typeof value === "number" || typeof value === "boolean") values[key] = String(value);
  }
  return values;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
