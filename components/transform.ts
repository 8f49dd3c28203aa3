// Per-child overrides (as in SST): a partial args object merged last, or a function that edits args and options.
import type * as pulumi from "@pulumi/pulumi";

/**
 * Overrides for one child resource, applied after the component has computed the child's args:
 * - an object: its properties replace the component's (shallow merge, yours win);
 * - a function: receives the args and resource options to edit in place, and the child's logical name.
 */
export type Transform<TArgs> =
  Partial<TArgs> | ((args: TArgs, opts: pulumi.CustomResourceOptions, name: string) => void);

/** The args type a {@link Transform} edits, e.g. `TransformedArgs<Transform<RoleArgs>>` is `RoleArgs`. */
export type TransformedArgs<TTransform> = TTransform extends (
  args: infer TArgs,
  opts: pulumi.CustomResourceOptions,
  name: string,
) => void
  ? TArgs
  : never;

/** Applies `transform` (if any) to a child's args and options, returning the ones to create it with. */
export function applyTransform<TArgs extends object>(
  transform: Transform<TArgs> | undefined,
  name: string,
  args: TArgs,
  opts: pulumi.CustomResourceOptions,
): { args: TArgs; opts: pulumi.CustomResourceOptions } {
  if (transform === undefined) return { args, opts };
  if (typeof transform === "function") {
    transform(args, opts, name);
    return { args, opts };
  }
  return { args: { ...args, ...transform }, opts };
}
