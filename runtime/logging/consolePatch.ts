// Takes over `console.trace/debug/info/log/warn/error/fatal`, so a handler's logs become the function's records.
import { CONSOLE_METHOD_LEVELS, type ConsoleMethod, type LogLevel } from "./levels";

/** What the console methods are replaced with when their level is filtered out: nothing to do. */
function filteredOut(): void {}

/** The part of the logger the console methods call. */
export interface ConsoleLogger {
  enabled(level: LogLevel): boolean;
  log(level: LogLevel, args: readonly unknown[]): void;
}

/**
 * Replaces the console methods Lambda's runtime takes over with ones that write through `logger`. A method
 * whose level is filtered out becomes a function that does nothing, so that such calls cost next to nothing.
 * Other console methods are left alone (those built on `console.log`, such as `console.table`, follow it).
 * @param logger Where the records go.
 * @param target The console to patch. @default console
 * @returns Puts back each method that still is the one installed here (one replaced since is left as it is).
 */
export function patchConsole(logger: ConsoleLogger, target: Console = console): () => void {
  const methods = target as unknown as Record<ConsoleMethod, unknown>;
  const saved: Array<[ConsoleMethod, PropertyDescriptor | undefined, unknown]> = [];
  for (const [method, level] of CONSOLE_METHOD_LEVELS) {
    const replacement = logger.enabled(level)
      ? (...args: unknown[]): void => logger.log(level, args)
      : filteredOut;
    saved.push([method, Object.getOwnPropertyDescriptor(target, method), replacement]);
    methods[method] = replacement;
  }
  return () => {
    for (const [method, descriptor, replacement] of saved) {
      if (methods[method] !== replacement) continue;
      if (descriptor) Object.defineProperty(target, method, descriptor);
      else delete methods[method];
    }
  };
}
