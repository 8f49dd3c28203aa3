// Faults the fake can inject instead of answering normally, and which requests they apply to.
import { INIT_ERROR_PATH, INVOCATION_PATH, NEXT_PATH } from "./answers";
import type { RequestHead } from "./requestParser";

/**
 * When a fault fires: on a request's head, once this many body bytes arrived (at its end at the latest), or
 * once it fully arrived.
 */
export type Moment = "head" | "end" | { readonly afterBodyBytes: number };

/** What the fake does instead of answering normally. */
export type Fault =
  /** Closes the connection. */
  | { readonly kind: "drop"; readonly at: Moment }
  /** Answers with this status and JSON body (then, with `close`, closes the connection). */
  | {
      readonly kind: "answer";
      readonly at: Moment;
      readonly status: number;
      readonly body?: string;
      readonly close?: boolean;
    }
  /** Writes bytes that are not HTTP, then waits. */
  | { readonly kind: "garbage"; readonly at: Moment; readonly bytes: string }
  /**
   * Stops reading the connection for `forMs` (until `resumeReading()` without it), then carries on: a request
   * that ends while reading is stopped is answered once reading resumes.
   */
  | { readonly kind: "stall"; readonly at: Moment; readonly forMs?: number };

/** Chooses the requests a fault applies to, by their head. */
export type RequestMatcher = (head: RequestHead) => boolean;

/** Matches `GET /invocation/next`. */
export const isNext: RequestMatcher = (head) => head.path === NEXT_PATH;

/** Matches `POST /init/error`. */
export const isInitError: RequestMatcher = (head) => head.path === INIT_ERROR_PATH;

/** Matches a reply (`/response` or `/error`, or only the one named) for the invocation with this request id. */
export function isReplyTo(requestId: string, kind?: "response" | "error"): RequestMatcher {
  const prefix = `${INVOCATION_PATH}${encodeURIComponent(requestId)}/${kind ?? ""}`;
  return (head) => head.path.startsWith(prefix);
}

/**
 * Whether a fault set for `at` fires now, in `phase` of a request with `bodyBytes` received. A fault after N
 * body bytes fires at the end at the latest.
 */
export function firesAt(at: Moment, phase: "head" | "body" | "end", bodyBytes: number): boolean {
  if (typeof at === "object") return bodyBytes >= at.afterBodyBytes || phase === "end";
  return at === phase;
}

/** Faults waiting for the requests they apply to. */
export class FaultPlan {
  readonly #injections: Array<{ matches: RequestMatcher; fault: Fault; remaining: number }> = [];

  /** Applies `fault` to the next `times` requests `matches` accepts. */
  add(matches: RequestMatcher, fault: Fault, times: number): void {
    this.#injections.push({ matches, fault, remaining: times });
  }

  /** The fault for a request that just started, if one applies (and counts it as used). */
  take(head: RequestHead): Fault | undefined {
    const injection = this.#injections.find((i) => i.remaining > 0 && i.matches(head));
    if (!injection) return undefined;
    injection.remaining--;
    return injection.fault;
  }
}
