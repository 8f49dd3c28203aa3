// The local server with the project's own runtime polling it in-process: the two halves of the protocol agree.
import { expect } from "chai";
import { LambdaRuntime, buffered, type LambdaResponseStreamWriter } from "../../runtime";
import { parseRestApiEvent, restApiEventBody } from "../../runtime/restApiEvent";
import { clientRequest, runRuntimeOn, startTestServer, type TestServer } from "./harness";

describe("local server with the project's runtime", () => {
  let t: TestServer;
  let runtime: LambdaRuntime;
  let running: Promise<void>;
  const runtimeLog: string[] = [];

  function serve(handler: ConstructorParameters<typeof LambdaRuntime>[0]): void {
    ({ runtime, running } = runRuntimeOn(t, handler, (m) => runtimeLog.push(m)));
  }

  beforeEach(async () => {
    t = await startTestServer();
  });

  afterEach(async () => {
    runtime.stop();
    await t.server.close();
    await running;
  });

  it("streams a handler's prelude and chunks to the client, and cuts the client on a mid-stream throw", async () => {
    // The handler sends its last line only once the client has the first: two chunks, whatever the load.
    let firstLineSeen: () => void = () => undefined;
    const clientHasFirstLine = new Promise<void>((resolve) => (firstLineSeen = resolve));
    serve(async (event: Buffer, writer: LambdaResponseStreamWriter) => {
      const request = parseRestApiEvent(event);
      await writer.writeStatusAndHeaders({
        statusCode: 200,
        headers: { "Content-Type": "text/plain", "x-my-custom-header": "streaming-example" },
        cookies: ["seen=1"],
      });
      await writer.write(`${request.httpMethod} ${request.path} ${restApiEventBody(request).toString()}\n`);
      if (request.queryStringParameters?.fail) throw new RangeError("failed after one line");
      await clientHasFirstLine;
      await writer.writeAndFinish("done\n");
    });

    const ok = await clientRequest(t, {
      method: "POST",
      path: "/stream",
      body: "hi",
      onData: () => firstLineSeen(),
    });
    expect(ok.status).to.equal(200);
    expect(ok.headers["x-my-custom-header"]).to.equal("streaming-example");
    expect(ok.headers["set-cookie"]).to.deep.equal(["seen=1"]);
    expect(ok.chunks.map((c) => c.data.toString())).to.deep.equal(["POST /stream hi\n", "done\n"]);
    expect(ok.complete).to.equal(true);

    const failed = await clientRequest(t, { path: "/stream?fail=1" });
    expect(failed.status).to.equal(200);
    expect(failed.body.toString()).to.equal("GET /stream \n");
    expect(failed.complete).to.equal(false);
    expect(
      t.logs.some((l) => l.includes("stream cut: function error RangeError: failed after one line")),
    ).to.equal(true);
  });

  it("maps a buffered handler's proxy result and an early throw like API Gateway", async () => {
    await t.server.close();
    t = await startTestServer({ route: "/{proxy+}" });
    serve(
      buffered(async (event: unknown) => {
        const { path } = event as { path: string };
        if (path === "/boom") throw new TypeError("no boom allowed");
        return { statusCode: 201, headers: { "X-Path": path }, body: JSON.stringify({ path }) };
      }),
    );
    const ok = await clientRequest(t, { path: "/items/1" });
    expect(ok.status).to.equal(201);
    expect(ok.headers["x-path"]).to.equal("/items/1");
    expect(ok.headers["content-type"]).to.equal("application/json");
    expect(JSON.parse(ok.body.toString())).to.deep.equal({ path: "/items/1" });

    const boom = await clientRequest(t, { path: "/boom" });
    expect(boom.status).to.equal(502);
    expect(JSON.parse(boom.body.toString())).to.deep.equal({ message: "Internal server error" });
    const invoked = await clientRequest(t, { method: "POST", path: "/invoke", body: '{"path":"/boom"}' });
    expect(invoked.status).to.equal(502);
    expect(JSON.parse(invoked.body.toString())).to.include({
      errorType: "TypeError",
      errorMessage: "no boom allowed",
    });
  });
});
