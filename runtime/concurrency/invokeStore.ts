// AWS's per-invocation store (`@aws/lambda-invoke-store`) on globalThis.awslambda, answered from invocationScope.
//
// AWS's Node.js runtime puts an `InvokeStore` on `globalThis.awslambda`; `@aws/lambda-invoke-store` (which the
// AWS SDK for JavaScript v3 and Powertools use) takes that instance when one is there. Under
// `AWS_LAMBDA_MAX_CONCURRENCY` the SDK reads the X-Ray trace id from it instead of `_X_AMZN_TRACE_ID`, which
// a concurrent runtime cannot set. This is the same shape, backed by the runtime's own AsyncLocalStorage.
import { currentInvocation, runInInvocation, type InvocationScope } from "../invocationScope";

/** The keys AWS's store reserves for Lambda's own fields (global symbols, the same in every copy). */
export const PROTECTED_KEYS = Object.freeze({
  REQUEST_ID: Symbol.for("_AWS_LAMBDA_REQUEST_ID"),
  X_RAY_TRACE_ID: Symbol.for("_AWS_LAMBDA_X_RAY_TRACE_ID"),
  TENANT_ID: Symbol.for("_AWS_LAMBDA_TENANT_ID"),
});

/** A store's context: Lambda's fields under {@link PROTECTED_KEYS}, and whatever code set. */
export type InvokeStoreContext = Record<string | symbol, unknown>;

/** Values code stored with `set`, per invocation. */
const customValues = new WeakMap<InvocationScope, Map<string | symbol, unknown>>();

/**
 * The methods of `@aws/lambda-invoke-store`'s `InvokeStoreBase`, over {@link currentInvocation}: what code
 * running for an invocation sees, whichever of the concurrent invocations it runs for.
 */
export class ScopeInvokeStore {
  /** The reserved keys, as AWS's store exposes them. */
  readonly PROTECTED_KEYS = PROTECTED_KEYS;

  /** The current invocation's context, or `undefined` outside any invocation. */
  getContext(): InvokeStoreContext | undefined {
    const scope = currentInvocation();
    if (!scope) return undefined;
    const context: InvokeStoreContext = {
      [PROTECTED_KEYS.REQUEST_ID]: scope.requestId,
      [PROTECTED_KEYS.X_RAY_TRACE_ID]: scope.traceId,
      [PROTECTED_KEYS.TENANT_ID]: scope.tenantId,
    };
    for (const [key, value] of customValues.get(scope) ?? []) context[key] = value;
    return context;
  }

  /** Whether the calling code runs for an invocation. */
  hasContext(): boolean {
    return currentInvocation() !== undefined;
  }

  /** A value of the current invocation's context. */
  get<T = unknown>(key: string | symbol): T | undefined {
    const scope = currentInvocation();
    if (!scope) return undefined;
    if (key === PROTECTED_KEYS.REQUEST_ID) return scope.requestId as T;
    if (key === PROTECTED_KEYS.X_RAY_TRACE_ID) return scope.traceId as T | undefined;
    if (key === PROTECTED_KEYS.TENANT_ID) return scope.tenantId as T | undefined;
    return customValues.get(scope)?.get(key) as T | undefined;
  }

  /**
   * Stores a value for the rest of the current invocation.
   * @throws Error for a protected key, or outside any invocation (as AWS's store does).
   */
  set<T = unknown>(key: string | symbol, value: T): void {
    if (Object.values(PROTECTED_KEYS).includes(key as symbol)) {
      throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    }
    const scope = currentInvocation();
    if (!scope) throw new Error("No context available");
    let values = customValues.get(scope);
    if (!values) customValues.set(scope, (values = new Map()));
    values.set(key, value);
  }

  /** Runs `fn` as part of an invocation described by `context` (what AWS's runtime calls per invocation). */
  run<T>(context: InvokeStoreContext, fn: () => T): T {
    const requestId = context[PROTECTED_KEYS.REQUEST_ID];
    const traceId = context[PROTECTED_KEYS.X_RAY_TRACE_ID];
    const tenantId = context[PROTECTED_KEYS.TENANT_ID];
    const scope: InvocationScope = {
      requestId: typeof requestId === "string" ? requestId : "-",
      traceId: typeof traceId === "string" ? traceId : undefined,
      tenantId: typeof tenantId === "string" ? tenantId : undefined,
    };
    const reserved: readonly (string | symbol)[] = Object.values(PROTECTED_KEYS);
    const custom = Reflect.ownKeys(context).filter((key) => !reserved.includes(key));
    if (custom.length > 0) customValues.set(scope, new Map(custom.map((key) => [key, context[key]])));
    return runInInvocation(scope, fn);
  }

  /** The current request id, or `"-"` outside any invocation. */
  getRequestId(): string {
    return currentInvocation()?.requestId ?? "-";
  }

  /** The current invocation's X-Ray trace header, if Lambda sent one. */
  getXRayTraceId(): string | undefined {
    return currentInvocation()?.traceId;
  }

  /** The current invocation's tenant id, if Lambda sent one. */
  getTenantId(): string | undefined {
    return currentInvocation()?.tenantId;
  }

  /**
   * The W3C trace context fields newer versions of AWS's store carry and the AWS SDK asks for (it calls
   * `getTraceparent()` without checking that the method exists). This runtime does not read a W3C trace
   * context from the invocation, so there is none: callers then send no such header.
   */
  getTraceparent(): string | undefined {
    return undefined;
  }

  /** See {@link getTraceparent}. */
  getTracestate(): string | undefined {
    return undefined;
  }

  /** See {@link getTraceparent}. */
  getBaggage(): string | undefined {
    return undefined;
  }
}

/**
 * Puts a {@link ScopeInvokeStore} on `globalThis.awslambda.InvokeStore`, before the handler module loads, so
 * `@aws/lambda-invoke-store` (the AWS SDK's, Powertools') adopts it. Leaves alone a store already there, and
 * does nothing when `AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA` is `1` or `true` (AWS's opt-out).
 * @param env Where to read the opt-out. @default process.env
 * @returns Whether this call installed it.
 */
export function installInvokeStore(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  if (["1", "true"].includes(env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA ?? "")) return false;
  const holder = globalThis as { awslambda?: Record<string, unknown> };
  const awslambda = (holder.awslambda ??= {});
  if (awslambda.InvokeStore !== undefined) return false;
  awslambda.InvokeStore = new ScopeInvokeStore();
  return true;
}
