// `npm start -- --handler FILE --export handler` serves a fetchHandler(app) export like any other handler.
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { headerValues, startCurl } from "./curl";
import { BINARY_BODY, COOKIE_LINES, SSE_TEXT, STREAM_CHUNKS } from "./fixtures/honoApp";
import { freePort } from "../helpers/freePort";

const ROOT = path.resolve(__dirname, "../..");

describe("npm start with a Hono app exported as fetchHandler(app)", function () {
  this.timeout(120_000);
  let port: number;
  let npm: ReturnType<typeof spawn>;
  let exited: Promise<number | null>;
  let output = "";

  before(async () => {
    port = await freePort();
    npm = spawn("npm", ["start", "--", "--handler", "test/web/fixtures/honoApp.ts", "--export", "handler"], {
      cwd: ROOT,
      env: {
        ...process.env,
        LOCAL_LAMBDA_PORT: String(port),
        LOCAL_LAMBDA_ROUTE: "*",
        AWS_LAMBDA_RUNTIME_API: "",
      },
    });
    exited = new Promise((resolve) => npm.once("exit", (code) => resolve(code)));
    // Ready once the server announced itself (after bundling the handler): told by its output, not by time.
    await new Promise<void>((resolve, reject) => {
      const onData = (data: Buffer): void => {
        output += data.toString();
        if (output.includes("try: curl")) resolve();
      };
      npm.stdout?.on("data", onData);
      npm.stderr?.on("data", onData);
      void exited.then((code) => reject(new Error(`npm start exited (${code}) before serving:\n${output}`)));
    });
  });

  after(async () => {
    if (npm.exitCode === null) npm.kill("SIGTERM");
    await exited;
  });

  const url = (pathAndQuery: string): string => `http://127.0.0.1:${port}${pathAndQuery}`;

  it("streams text and SSE, keeps both cookies, answers 404s and sends binary bytes as they are", async () => {
    const [streamed, sse, cookies, missing, binary] = await Promise.all(
      ["/stream", "/sse", "/cookies", "/items/missing", "/binary"].map((p) => startCurl(url(p)).done),
    );
    expect([streamed?.exitCode, streamed?.status, streamed?.body.toString()], output).to.deep.equal([
      0,
      200,
      STREAM_CHUNKS.join(""),
    ]);
    expect(sse && headerValues(sse, "content-type")).to.deep.equal(["text/event-stream"]);
    expect(sse?.body.toString()).to.equal(SSE_TEXT.join(""));
    expect(cookies && headerValues(cookies, "set-cookie")).to.deep.equal(COOKIE_LINES);
    expect([missing?.status, missing?.body.toString()]).to.deep.equal([404, "404 Not Found"]);
    expect(binary?.status).to.equal(200);
    expect(binary?.body.equals(BINARY_BODY)).to.equal(true);
  });

  it("names the invocation's stage and request id to the app through c.env", async () => {
    const result = await startCurl(url("/json?a=1&a=2")).done;
    const json = JSON.parse(result.body.toString());
    expect(json.stage).to.equal("local");
    expect(json.query).to.deep.equal({ a: ["1", "2"] });
    expect(json.requestId).to.match(/^[0-9a-f-]{36}$/);
  });
});
