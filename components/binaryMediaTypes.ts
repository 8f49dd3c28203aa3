// The REST API's binaryMediaTypes argument, checked: `type/subtype` patterns, either part possibly `*`.
import { DEFAULTS } from "./args";
import type { Fail } from "./checks";

/** An RFC 9110 token without `*`: what a media type's type or subtype may be, apart from the wildcard. */
const NAME = "[!#$%&'+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE_PATTERN = new RegExp(`^(?:${NAME}|\\*)/(?:${NAME}|\\*)$`);

/**
 * The binary media types to set on the REST API: `raw` when it is a list of valid, distinct patterns, the
 * default (every media type) when unset. Refuses anything else with an error naming `binaryMediaTypes`.
 */
export function resolveBinaryMediaTypes(raw: unknown, fail: Fail): readonly string[] {
  if (raw === undefined) return DEFAULTS.binaryMediaTypes;
  if (!Array.isArray(raw)) {
    return fail(
      "binaryMediaTypes",
      `binaryMediaTypes must be a list of media types like ["image/png", "application/*"] (got ${typeof raw}).`,
    );
  }
  const seen = new Set<string>();
  raw.forEach((entry: unknown, index) => {
    const argument = `binaryMediaTypes[${index}]`;
    if (typeof entry !== "string") {
      fail(argument, `${argument} must be a string like "image/png" (got ${typeof entry}).`);
    }
    const problem = binaryMediaTypeProblem(entry as string);
    if (problem !== undefined) fail(argument, `${argument} ${JSON.stringify(entry)} ${problem}`);
    const key = (entry as string).toLowerCase();
    if (seen.has(key)) {
      fail(
        argument,
        `${argument} ${JSON.stringify(entry)} is listed twice (case does not matter). Remove one.`,
      );
    }
    seen.add(key);
  });
  return [...(raw as string[])];
}

/** Why `pattern` is not a binary media type pattern, as the end of a sentence, or `undefined` when it is one. */
export function binaryMediaTypeProblem(pattern: string): string | undefined {
  if (MEDIA_TYPE_PATTERN.test(pattern)) return undefined;
  if (pattern.includes("~1")) {
    return 'uses "~1" for "/": that escape belongs to API Gateway PATCH operations. Write "/" itself, e.g. "image/png".';
  }
  if (pattern.includes(";")) {
    return 'has parameters: API Gateway matches the media type alone. Remove everything from ";" on.';
  }
  return (
    'is not a media type pattern: write "type/subtype" with letters, digits and !#$&^_.+-, where either part ' +
    'may be "*" (e.g. "image/png", "image/*", "application/octet-stream").'
  );
}
