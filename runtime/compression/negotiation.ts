// Whether and how to compress: Accept-Encoding negotiation, the may-compress rules, Vary merging.
import { mediaTypeOf } from "./mediaType";
import { DEFAULT_ENCODINGS, type CompressionSettings, type ContentCoding } from "./options";

/** Statuses whose responses have no body to compress. */
const BODYLESS_STATUS = /* @__PURE__ */ new Set([204, 205, 304]);

/**
 * Chooses the coding for a request's `Accept-Encoding`, as RFC 9110 section 12.5.3 defines it: the offered
 * coding with the highest q-value; one the header does not name takes the q-value of `*`, if present; `q=0`
 * refuses it; `x-gzip` counts as `gzip`; ties go to the first in `encodings`. Without the header, or with
 * an empty one, nothing is compressed (a client that sent none may not decode any coding). `identity` is
 * always acceptable to this module: when no offered coding is, the response goes out uncompressed even if
 * the client refused `identity` (rather than a 406).
 * @param acceptEncoding The request's `Accept-Encoding` (several header lines joined with `, `).
 * @param encodings The codings offered, most preferred first. @default {@link DEFAULT_ENCODINGS}
 * @returns The coding to use, or `undefined` for none.
 */
export function negotiateEncoding(
  acceptEncoding: string | null | undefined,
  encodings: readonly ContentCoding[] = DEFAULT_ENCODINGS,
): ContentCoding | undefined {
  if (!acceptEncoding) return undefined;
  const weights = new Map<string, number>();
  for (const element of acceptEncoding.split(",")) {
    const [rawCoding = "", ...params] = element.split(";");
    const coding = rawCoding.trim().toLowerCase();
    if (coding === "") continue;
    let q = 1;
    for (const param of params) {
      const [name = "", value = ""] = param.split("=");
      if (name.trim().toLowerCase() !== "q") continue;
      q = /^\s*(0(\.\d{0,3})?|1(\.0{0,3})?)\s*$/.test(value) ? Number(value) : Number.NaN;
    }
    if (Number.isNaN(q)) continue; // a malformed weight: ignore the element
    const key = coding === "x-gzip" ? "gzip" : coding;
    weights.set(key, Math.max(weights.get(key) ?? 0, q));
  }
  let best: ContentCoding | undefined;
  let bestQ = 0;
  for (const coding of encodings) {
    const q = weights.get(coding) ?? weights.get("*") ?? 0;
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  return best;
}

/** `Vary` with `Accept-Encoding` added (unless already there, or `*`). */
export function withVary(vary: string | undefined): string {
  if (!vary) return "Accept-Encoding";
  const fields = vary.split(",").map((field) => field.trim().toLowerCase());
  return fields.includes("accept-encoding") || fields.includes("*") ? vary : `${vary}, Accept-Encoding`;
}

/**
 * Whether a response may be compressed, from its status and headers: a status with a body, no
 * `Content-Encoding` or `Content-Range` yet, no `Cache-Control: no-transform`, and a media type the settings
 * compress.
 */
export function mayCompress(
  status: number,
  header: (name: string) => string | undefined,
  settings: CompressionSettings,
): boolean {
  return (
    status >= 200 &&
    !BODYLESS_STATUS.has(status) &&
    header("content-encoding") === undefined &&
    header("content-range") === undefined &&
    !/(^|,)\s*no-transform\s*(,|$)/i.test(header("cache-control") ?? "") &&
    settings.compresses(mediaTypeOf(header("content-type")))
  );
}
