// End to end: `npm start` with LOCAL_LAMBDA_AUTH=AWS_IAM and LOCAL_LAMBDA_CORS_ORIGINS, as a developer runs it.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { signedFetch } from "../../client";
import { TEST_CREDENTIALS } from "../client/gatedServer";
import { freePort } from "../helpers/freePort";

const ROOT = path.resolve(__dirname, "../..");
const PAGE = "http://localhost:5173";

describe("npm start with LOCAL_LAMBDA_AUTH=AWS_IAM and LOCAL_LAMBDA_CORS_ORIGINS", function () {
  this.timeout(120_000);
  let npm: ChildProcess;
  let exited: Promise<unknown>;
  let output = "";
  let base: string;

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    npm = spawn("npm", ["start"], {
      cwd: ROOT,
      env: {
        ...process.env,
        AWS_LAMBDA_RUNTIME_API: "",
        LOCAL_LAMBDA_PORT: String(port),
        LOCAL_LAMBDA_AUTH: "AWS_IAM",
        LOCAL_LAMBDA_CORS_ORIGINS: PAGE,
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
        AWS_SESSION_TOKEN: TEST_CREDENTIALS.sessionToken,
      },
    });
    exited = new Promise((resolve) => npm.once("exit", resolve));
    // Ready once the handler is bundled and the server announced itself (or npm ended: then fail with its output).
    await new Promise<void>((resolve, reject) => {
      const collect = (data: Buffer): void => {
        output += data.toString();
        if (output.includes("try: curl")) resolve();
      };
      npm.stdout?.on("data", collect);
      npm.stderr?.on("data", collect);
      void exited.then(() => reject(new Error(`npm start ended before it was ready:\n${output}`)));
    });
  });

  after(async () => {
    if (npm.exitCode === null) npm.kill("SIGTERM");
    await exited;
  });

  it("refuses unsigned requests with 403 and CORS headers, and answers preflights without a signature", async () => {
    const unsigned = await fetch(`${base}/stream`, { headers: { Origin: PAGE } });
    expect(unsigned.status, output).to.equal(403);
    expect(await unsigned.json()).to.deep.equal({ message: "Missing Authentication Token" });
    expect(unsigned.headers.get("access-control-allow-origin")).to.equal(PAGE);
    const preflight = await fetch(`${base}/stream`, { method: "OPTIONS", headers: { Origin: PAGE } });
    expect(preflight.status).to.equal(204);
    expect(preflight.headers.get("access-control-allow-origin")).to.equal(PAGE);
  });

  it("streams a signed request, with the CORS headers the runtime (a child process) added to its prelude", async () => {
    const response = await signedFetch(
      `${base}/stream`,
      { headers: { Origin: PAGE } },
      { region: "us-east-1", credentials: TEST_CREDENTIALS },
    );
    expect(response.status, output).to.equal(200);
    expect(response.headers.get("access-control-allow-origin")).to.equal(PAGE);
    expect(response.headers.get("vary")).to.equal("Origin");
    expect(response.headers.get("x-my-custom-header")).to.equal("streaming-example");
    expect(await response.text()).to.equal("1\n2\n3\nStreaming complete!\n");
  });
});
