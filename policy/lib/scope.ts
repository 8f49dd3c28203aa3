// Which resources a policy checks: children of a StreamingRestApi (read from URNs), or the whole stack.
import type { PolicyConfigSchema, PolicyResource, ResourceValidationArgs } from "@pulumi/policy";

/**
 * The component's Pulumi type token. Kept here as a literal so the pack loads without the component's
 * dependencies; a test checks it equals `STREAMING_REST_API_TYPE` in `components/`.
 */
export const COMPONENT_TYPE = "streaming-rest-api:index:StreamingRestApi";

/**
 * The token of component versions before the multi-language one (`LEGACY_STREAMING_REST_API_TYPE`): stacks
 * that have not been updated since still have children under it.
 */
export const LEGACY_COMPONENT_TYPE = "streaming:index:StreamingRestApi";

/** Whether a type token is the component's, current or legacy. */
function isComponentType(type: string | undefined): boolean {
  return type === COMPONENT_TYPE || type === LEGACY_COMPONENT_TYPE;
}

/** `component`: only resources inside a StreamingRestApi are checked. `stack`: every resource is. */
export type Scope = "component" | "stack";

/** The `scope` property shared by the policies that make sense beyond the component. */
export const SCOPE_CONFIG: PolicyConfigSchema["properties"] = {
  scope: {
    type: "string",
    enum: ["component", "stack"],
    default: "component",
    description:
      'Which resources to check: "component" (children of a StreamingRestApi) or "stack" (every resource).',
  },
};

/** A URN split into the parts the policies need. */
export interface ParsedUrn {
  /** The types of the resource's ancestors, outermost first, then its own type. */
  readonly typeChain: readonly string[];
  /** The resource's logical name. */
  readonly name: string;
}

/**
 * Parses `urn:pulumi:<stack>::<project>::<parent types $ type>::<name>`. Returns `undefined` for anything
 * else, so a malformed URN never counts as inside the component.
 */
export function parseUrn(urn: string): ParsedUrn | undefined {
  const parts = urn.split("::");
  if (parts.length < 4 || !parts[0]?.startsWith("urn:pulumi:")) return undefined;
  const qualifiedType = parts[2] ?? "";
  return { typeChain: qualifiedType.split("$"), name: parts.slice(3).join("::") };
}

/** Whether the resource with this URN is a descendant of a StreamingRestApi. */
export function isInComponent(urn: string): boolean {
  const parsed = parseUrn(urn);
  return parsed !== undefined && parsed.typeChain.slice(0, -1).some(isComponentType);
}

/**
 * The name of the StreamingRestApi a resource belongs to: its parent's name when the parent is the
 * component, `undefined` when it is not inside one.
 */
export function componentNameOf(urn: string, parentUrn: string | undefined): string | undefined {
  if (!isInComponent(urn)) return undefined;
  const parent = parentUrn === undefined ? undefined : parseUrn(parentUrn);
  if (parent !== undefined && isComponentType(parent.typeChain[parent.typeChain.length - 1])) {
    return parent.name;
  }
  return undefined;
}

/**
 * Logical-name suffixes of the component's children that policies treat apart, as `ChildSuffix` in
 * components/naming.ts names them (a test checks they agree; the pack loads without the component).
 */
export const ComponentChild = {
  /** The OPTIONS method answering CORS preflights, without authorization. */
  corsMethod: "cors-method",
  /** Its MOCK integration. */
  corsIntegration: "cors-integration",
} as const;

/**
 * Whether a resource is the component's child with this suffix: its parent is a StreamingRestApi and its
 * logical name is `<component name>-<suffix>`, the name the component gives that child.
 */
export function isComponentChild(
  args: { readonly urn: string; readonly name: string; readonly opts: { readonly parent?: string } },
  suffix: string,
): boolean {
  const component = componentNameOf(args.urn, args.opts.parent);
  return component !== undefined && args.name === `${component}-${suffix}`;
}

/** Reads the `scope` config, defaulting to `component` (the engine fills schema defaults; tests may not). */
export function scopeOf(config: { scope?: unknown }): Scope {
  return config.scope === "stack" ? "stack" : "component";
}

/** Whether a resource is in the policy's scope. */
export function inScope(urn: string, scope: Scope): boolean {
  return scope === "stack" || isInComponent(urn);
}

/**
 * Marks the resource not applicable unless its type is `type` and it is in scope. Returns its inputs,
 * typed as the caller describes them (policy props are untyped provider data).
 */
export function applicableProps<TProps>(args: ResourceValidationArgs, type: string, scope: Scope): TProps {
  if (args.type !== type) args.notApplicable(`applies to ${type} only`);
  if (!inScope(args.urn, scope)) args.notApplicable(`${args.urn} is not part of a StreamingRestApi`);
  return args.props as TProps;
}

/** The stack's resources of one type that are in scope. */
export function resourcesOfType(resources: readonly PolicyResource[], type: string, scope: Scope) {
  return resources.filter((resource) => resource.type === type && inScope(resource.urn, scope));
}
