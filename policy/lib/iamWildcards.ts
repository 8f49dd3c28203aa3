// Decides whether an IAM action or resource pattern reaches beyond one named thing.

const WILDCARD = /[*?]/;

/** Whether an action pattern (`s3:*`, `lambda:Invoke*`, `*`) matches more than one action. */
export function actionHasWildcard(action: string): boolean {
  return WILDCARD.test(action);
}

/**
 * Services whose ARNs name the resource directly (`arn:aws:s3:::bucket/key`, `arn:aws:sqs:r:a:queue`),
 * without a resource-type segment like `function:` or `log-group:`.
 */
const UNTYPED_ARN_SERVICES = new Set(["s3", "sqs", "sns", "execute-api"]);

const ARN_FIELDS = ["partition", "service", "region", "account"] as const;

/**
 * Why a `Resource` entry reaches beyond one named resource, or `undefined` when it does not.
 *
 * A wildcard is accepted only after the resource's type and name: `...:log-group:NAME:*` (the group's
 * streams), `...:function:NAME:*` (its versions and aliases), `arn:aws:s3:::bucket/*` (its objects).
 * A wildcard in the partition, service, region, account, resource type or name is refused, and so is
 * `"*"` itself. The name ends at the separator that follows the type (`:` or `/`), so a log group name
 * may contain `/`. Exact ARNs that need a wildcard inside the name (e.g. Secrets Manager's random
 * suffix, `secret:NAME-??????`) are refused too: give the full ARN.
 */
export function resourceWildcardProblem(resource: string): string | undefined {
  if (!WILDCARD.test(resource)) return undefined;
  if (resource === "*") return 'is "*": every resource of every service in the account';
  const fields = resource.split(":");
  if (fields.length < 6 || fields[0] !== "arn") return "is a wildcard pattern, not an ARN";
  for (const [index, field] of ARN_FIELDS.entries()) {
    if (WILDCARD.test(fields[index + 1] ?? "")) return `has a wildcard in its ${field}`;
  }
  const service = fields[2] ?? "";
  const { type, name } = splitResource(service, fields.slice(5).join(":"));
  if (type !== undefined && WILDCARD.test(type)) return "has a wildcard in its resource type";
  if (name === "" || WILDCARD.test(name)) {
    return `does not name one resource (the wildcard is in the name ${JSON.stringify(name)})`;
  }
  return undefined;
}

/** Splits the resource part of an ARN into its type (if the service uses one) and the resource's name. */
function splitResource(service: string, resource: string): { type?: string; name: string } {
  if (UNTYPED_ARN_SERVICES.has(service)) return { name: resource.split(/[/:]/)[0] ?? "" };
  const typed = /^([^:/]*)([:/])(.*)$/.exec(resource);
  if (typed === null) return { name: resource };
  const [, type = "", separator = ":", rest = ""] = typed;
  return { type, name: rest.split(separator)[0] ?? "" };
}
