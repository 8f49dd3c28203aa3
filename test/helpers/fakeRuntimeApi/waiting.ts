// Waits for a condition to hold, checked whenever the fake reports a change, with a timeout that names it.

/**
 * How often a condition is checked besides on changes, for conditions that also depend on state outside the
 * fake (a child's stderr, a handler's progress).
 */
const RECHECK_MS = 20;

/** Conditions waiting for changes. */
export class Changes {
  readonly #listeners = new Set<() => void>();

  /** Something changed: checks every waiting condition. */
  notify(): void {
    if (this.#listeners.size === 0) return;
    for (const listener of [...this.#listeners]) listener();
  }

  /** Resolves once `condition` holds; rejects if it throws, or after `timeoutMs` naming `what` was awaited. */
  until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        let holds: boolean;
        try {
          holds = condition();
        } catch (error) {
          cleanup();
          reject(error as Error);
          return;
        }
        if (!holds) return;
        cleanup();
        resolve();
      };
      const recheck = setInterval(check, RECHECK_MS);
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearInterval(recheck);
        clearTimeout(timer);
        this.#listeners.delete(check);
      };
      this.#listeners.add(check);
    });
  }
}
