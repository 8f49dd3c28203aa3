// What a client of API Gateway sees, reduced to what a function controls, for exact comparisons.

/** Headers every response carries whatever the function says: transport framing and the request id. */
const TRANSPORT_HEADERS = new Set([
  "connection",
  "content-length",
  "date",
  "keep-alive",
  "transfer-encoding",
  "x-amzn-requestid",
]);

/** One header line, name lower-cased. */
export type HeaderLine = readonly [name: string, value: string];

/**
 * The header lines of a response (from `IncomingMessage.rawHeaders`) that came from the function: names
 * lower-cased, transport headers left out, sorted by name with repeated headers kept in their order.
 * @param rawHeaders `[name, value, name, value, ...]` as received.
 */
export function functionHeaders(rawHeaders: readonly string[]): HeaderLine[] {
  const lines: HeaderLine[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    if (!TRANSPORT_HEADERS.has(name)) lines.push([name, rawHeaders[i + 1] as string]);
  }
  return byName(lines);
}

/**
 * Expected header lines in the same normal form as {@link functionHeaders}.
 * @param lines `[name, value]` pairs, any casing, any order between names.
 */
export function expectedHeaders(lines: readonly HeaderLine[]): HeaderLine[] {
  return byName(lines.map(([name, value]) => [name.toLowerCase(), value] as const));
}

function byName(lines: HeaderLine[]): HeaderLine[] {
  // Array.prototype.sort is stable: repeated headers keep their relative order.
  return [...lines].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A random (version 4) UUID, as API Gateway's request ids are. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
