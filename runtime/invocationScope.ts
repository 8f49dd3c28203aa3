// The invocation that the running code belongs to, carried through async calls, so logs and tools see the right one.
import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What code running for an invocation can learn about it without being handed its context: enough to tag a
 * log line or a trace. It follows the code through promises, timers and streams (AsyncLocalStorage), so it
 * stays right when several invocations run at once (Lambda Managed Instances), unlike a global.
 */
export interface InvocationScope {
  /** The invocation's request id (`Lambda-Runtime-Aws-Request-Id`). */
  readonly requestId: string;
  /** The X-Ray trace header (`Lambda-Runtime-Trace-Id`), when Lambda sent one. */
  readonly traceId: string | undefined;
  /** The tenant id of a tenant-isolated function (`Lambda-Runtime-Aws-Tenant-Id`), when Lambda sent one. */
  readonly tenantId: string | undefined;
}

const storage = new AsyncLocalStorage<InvocationScope>();

/**
 * Runs `work` as part of the invocation `scope`: everything it starts, synchronously or asynchronously, sees
 * `scope` from {@link currentInvocation}.
 * @param scope The invocation's identifiers.
 * @param work What runs for the invocation (typically the handler call).
 * @returns What `work` returns.
 */
export function runInInvocation<T>(scope: InvocationScope, work: () => T): T {
  return storage.run(scope, work);
}

/**
 * The invocation the calling code runs for, or `undefined` outside any invocation (module initialisation, or
 * code scheduled before the first invocation started).
 */
export function currentInvocation(): InvocationScope | undefined {
  return storage.getStore();
}
