// The invocation context built from /next headers: deadlines, ARN, trace id, client context, identity.
import { expect } from "chai";
import { createContext, functionIdentity } from "../../runtime/context";

const identity = functionIdentity({ AWS_LAMBDA_FUNCTION_NAME: "fn", AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256" });

function contextWith(headers: Record<string, string>) {
  return createContext({ requestId: "r1", event: Buffer.alloc(0), headers }, identity);
}

describe("createContext", () => {
  it("reads the deadline, ARN, trace id and the function's identity", () => {
    const deadline = Date.now() + 30_000;
    const context = contextWith({
      "lambda-runtime-deadline-ms": String(deadline),
      "lambda-runtime-invoked-function-arn": "arn:aws:lambda:eu-west-1:1:function:fn:live",
      "lambda-runtime-trace-id": "Root=1-abc",
    });
    expect(context.hasDeadline).to.equal(true);
    expect(context.deadlineMs).to.equal(deadline);
    expect(context.getRemainingTimeInMillis()).to.be.within(29_000, 30_000);
    expect(context.invokedFunctionArn).to.equal("arn:aws:lambda:eu-west-1:1:function:fn:live");
    expect(context.traceId).to.equal("Root=1-abc");
    expect([context.functionName, context.memoryLimitInMB, context.functionVersion]).to.deep.equal([
      "fn",
      "256",
      "",
    ]);
  });

  it("reads the tenant id of a tenant-isolated function, undefined without one", () => {
    expect(contextWith({ "lambda-runtime-aws-tenant-id": "tenant-1" }).tenantId).to.equal("tenant-1");
    expect(contextWith({}).tenantId).to.equal(undefined);
    expect(contextWith({ "lambda-runtime-aws-tenant-id": "" }).tenantId).to.equal(undefined);
  });

  it("treats a missing, non-numeric or relative deadline as no deadline", () => {
    // @vercel/fun sends a relative "5000": read as epoch milliseconds it would have passed in 1970.
    for (const value of [undefined, "", "soon", "-1", "5000"]) {
      const context = contextWith(value === undefined ? {} : { "lambda-runtime-deadline-ms": value });
      expect(context.hasDeadline, String(value)).to.equal(false);
      expect(context.getRemainingTimeInMillis()).to.equal(Number.MAX_SAFE_INTEGER);
    }
  });

  it("parses client context and Cognito identity JSON, keeping malformed values as text", () => {
    const context = contextWith({
      "lambda-runtime-client-context": '{"custom":{"a":1}}',
      "lambda-runtime-cognito-identity": "{not json",
    });
    expect(context.clientContext).to.deep.equal({ custom: { a: 1 } });
    expect(context.cognitoIdentity).to.equal("{not json");
  });

  it("aborts the signal with the reason, also when it is first read after the abort", () => {
    const early = contextWith({});
    const seen = early.signal;
    early.abort(new Error("deadline"));
    expect(seen.aborted).to.equal(true);
    const late = contextWith({});
    late.abort(new Error("deadline"));
    expect(late.signal.aborted).to.equal(true);
    expect((late.signal.reason as Error).message).to.equal("deadline");
  });
});
