// Reads IAM policy documents (JSON strings or objects) into a uniform list of statements.

/** One statement, with single values widened to lists. */
export interface IamStatement {
  /** `Sid`, or `#<index>` when the statement has none: how messages name it. */
  readonly label: string;
  /** `Deny` statements only narrow access; everything else is treated as `Allow`. */
  readonly deny: boolean;
  /** `Action` values (empty when the statement uses `NotAction`). */
  readonly actions: readonly string[];
  /** `Resource` values (empty when absent, as in trust policies). */
  readonly resources: readonly string[];
  /** The statement uses `NotAction`: it allows every action but the listed ones. */
  readonly notAction: boolean;
  /** The statement uses `NotResource`: it applies to every resource but the listed ones. */
  readonly notResource: boolean;
  /** `Principal` as written (trust and resource policies only). */
  readonly principal: unknown;
}

/** A parsed document, or why it could not be read. */
export type ParsedDocument =
  | { readonly ok: true; readonly statements: readonly IamStatement[] }
  | { readonly ok: false; readonly error: string };

/** Parses a policy document given as a JSON string (what `JSON.stringify` produced) or as an object. */
export function parsePolicyDocument(document: unknown): ParsedDocument {
  let value: unknown = document;
  if (typeof document === "string") {
    try {
      value = JSON.parse(document);
    } catch (error) {
      return { ok: false, error: `is not valid JSON (${(error as Error).message})` };
    }
  }
  if (!isRecord(value)) return { ok: false, error: "is not a JSON object" };
  const raw = value["Statement"];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const statements: IamStatement[] = [];
  for (const [index, entry] of list.entries()) {
    if (!isRecord(entry)) return { ok: false, error: `has a statement #${index} that is not an object` };
    statements.push({
      label: typeof entry["Sid"] === "string" && entry["Sid"] !== "" ? entry["Sid"] : `#${index}`,
      deny: entry["Effect"] === "Deny",
      actions: strings(entry["Action"]),
      resources: strings(entry["Resource"]),
      notAction: entry["NotAction"] !== undefined,
      notResource: entry["NotResource"] !== undefined,
      principal: entry["Principal"],
    });
  }
  return { ok: true, statements };
}

/** Whether a `Principal` lets anyone in: `"*"`, or `"*"` among the `AWS` (or any other) principals. */
export function principalIsAnyone(principal: unknown): boolean {
  if (principal === "*") return true;
  if (!isRecord(principal)) return false;
  return Object.values(principal).some((value) => strings(value).includes("*"));
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === "string");
  return [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
