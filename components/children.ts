// The one way the component creates a child: named after it, parented to it, its transform applied last, checked.
import type * as pulumi from "@pulumi/pulumi";
import type { StreamingRestApiTransforms } from "./childTransforms";
import { childName, type ChildKey } from "./naming";
import { applyTransform, type Transform, type TransformedArgs } from "./transform";
import { StreamingRestApiArgumentError, transformProblem } from "./validation";

/** What creating a child needs from the component. */
export interface ChildScope {
  /** The component: every child's parent. */
  readonly parent: pulumi.ComponentResource;
  /** The component's name: every child's name starts with it. */
  readonly name: string;
  /** The user's overrides, by child. */
  readonly transforms: StreamingRestApiTransforms;
}

/** The args of the child with this key: what its transform edits. */
export type ChildArgs<TKey extends ChildKey> = TransformedArgs<NonNullable<StreamingRestApiTransforms[TKey]>>;

/** A child resource and the args it was created with (after its transform). */
export interface Created<TResource, TArgs> {
  readonly resource: TResource;
  readonly args: TArgs;
}

/** How to create one child, beyond its args. */
export interface ChildOptions<TArgs> {
  /** The component's resource options for the child, before the transform (`parent` is always added). */
  readonly opts?: pulumi.CustomResourceOptions;
  /** For numbered children (the path resources): the number in the name. */
  readonly index?: number;
  /**
   * Runs after the transform and its checks, to restore what the component needs whatever the transform did
   * (the function's `AWS_LAMBDA_EXEC_WRAPPER`).
   */
  readonly finish?: (args: TArgs) => TArgs;
}

/**
 * Creates the child `key` of the component: named `<component>-<suffix>` (see `ChildSuffix`), parented to the
 * component, with the user's `transform.<key>` applied last. Transformed args that would break streaming or
 * keep the runtime from starting are refused with a {@link StreamingRestApiArgumentError} naming
 * `transform.<key>`, before the child is created.
 */
export function child<TKey extends ChildKey, TResource>(
  scope: ChildScope,
  key: TKey,
  resourceClass: new (name: string, args: ChildArgs<TKey>, opts?: pulumi.CustomResourceOptions) => TResource,
  args: ChildArgs<TKey>,
  options: ChildOptions<ChildArgs<TKey>> = {},
): Created<TResource, ChildArgs<TKey>> {
  const name = childName(scope.name, key, options.index);
  // A function transform edits `args` in place: keep what the component built, to tell what it changed.
  const built: Readonly<Record<string, unknown>> = { ...args };
  // Read through a plain record: indexing the transforms by a generic key makes a union too large to check.
  const transforms: Readonly<Partial<Record<ChildKey, unknown>>> = scope.transforms;
  const transform = transforms[key] as Transform<ChildArgs<TKey>> | undefined;
  const transformed = applyTransform(transform, name, args, { ...options.opts, parent: scope.parent });
  const problem = transformProblem(key, transformed.args as Record<string, unknown>, built);
  if (problem !== undefined) throw new StreamingRestApiArgumentError(scope.name, `transform.${key}`, problem);
  const finalArgs = options.finish === undefined ? transformed.args : options.finish(transformed.args);
  return { resource: new resourceClass(name, finalArgs, transformed.opts), args: finalArgs };
}
