// The `streaming-rest-api invoke` command, run as a process against the local server with LOCAL_LAMBDA_AUTH=AWS_IAM.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CHUNKS, startGatedServer, TEST_CREDENTIALS, type GatedServer } from "./gatedServer";

const ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(ROOT, "client", "cli.ts");

/** What a run of the command printed, and how it ended. */
interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Each piece of standard output, as it arrived. */
  pieces: string[];
}

/** Runs the command with `args` in a clean environment (credentials only from `env`); `onStdout` sees each piece. */
function runCli(
  args: string[],
  env: Record<string, string>,
  onStdout: (piece: string, run: CliRun) => void = () => undefined,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", CLI, ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: home,
        // The default chain must find only the environment's credentials: no files, no instance metadata.
        AWS_CONFIG_FILE: path.join(home, "none"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, "none"),
        AWS_EC2_METADATA_DISABLED: "true",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const run: CliRun = { code: null, stdout: "", stderr: "", pieces: [] };
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (piece: string) => {
      run.stdout += piece;
      run.pieces.push(piece);
      onStdout(piece, run);
    });
    child.stderr.on("data", (piece: string) => (run.stderr += piece));
    child.on("error", reject);
    child.on("close", (code) => {
      run.code = code;
      resolve(run);
    });
  });
}

const SIGNING_ENV = {
  AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
  AWS_SESSION_TOKEN: TEST_CREDENTIALS.sessionToken,
};

let home: string;

describe("streaming-rest-api invoke (the CLI)", function () {
  // Each run starts a Node process that compiles the CLI with ts-node.
  this.timeout(60_000);
  let server: GatedServer;
  let url: string;

  before(() => {
    home = mkdtempSync(path.join(tmpdir(), "streaming-rest-api-cli-"));
  });

  after(() => {
    rmSync(home, { recursive: true, force: true });
  });

  beforeEach(async () => {
    server = await startGatedServer({ auth: "AWS_IAM", credentials: TEST_CREDENTIALS });
    url = `${server.t.server.url}/stream`;
  });

  afterEach(async () => {
    await server.close();
  });

  it("prints each chunk as it arrives, signed with the environment's credentials, and exits 0", async () => {
    const run = await runCli(["invoke", url], SIGNING_ENV, (_piece, sofar) => {
      // The handler writes the next chunk only once this process has printed the one before.
      const printed = CHUNKS.filter((chunk) => sofar.stdout.includes(chunk)).length;
      if (printed > 0) server.release(printed - 1);
    });
    expect(run.stderr).to.equal("");
    expect(run.code).to.equal(0);
    expect(run.pieces).to.deep.equal(CHUNKS);
  });

  it("sends -X, -H and -d @FILE, and prints the status line and headers with -i", async () => {
    const file = path.join(home, "body.json");
    writeFileSync(file, '{"prompt":"hi"}');
    const run = await runCli(
      ["invoke", `${url}?echo=1`, "-i", "-X", "PUT", "-H", "X-Test: from the cli", "-d", `@${file}`],
      SIGNING_ENV,
    );
    expect(run.code).to.equal(0);
    const [head = "", body = ""] = run.stdout.split("\r\n\r\n");
    expect(head.split("\r\n")[0]).to.equal("HTTP/1.1 200 OK");
    expect(head).to.match(/^content-type: application\/json$/m);
    expect(JSON.parse(body)).to.deep.include({
      method: "PUT",
      body: '{"prompt":"hi"}',
      header: "from the cli",
    });
  });

  it("exits 22 on a 403: a wrong secret, a missing token, an unsigned request (--no-sign)", async () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [
        [],
        { ...SIGNING_ENV, AWS_SECRET_ACCESS_KEY: "wrong" },
        /The request signature we calculated does not match/,
      ],
      [
        [],
        { ...SIGNING_ENV, AWS_SESSION_TOKEN: "" },
        /The security token included in the request is invalid\./,
      ],
      [["--no-sign"], {}, /Missing Authentication Token/],
    ];
    for (const [args, env, message] of cases) {
      const run = await runCli(["invoke", url, ...args], env);
      expect(run.code, run.stderr).to.equal(22);
      expect((JSON.parse(run.stdout) as { message: string }).message).to.match(message);
      expect(run.stderr).to.equal("streaming-rest-api: HTTP 403 Forbidden\n");
    }
  });

  it("exits 18 with one line on stderr when the connection is cut mid-stream", async () => {
    const run = await runCli(["invoke", `${url}?fail=1`], SIGNING_ENV);
    expect(run.stdout).to.equal(CHUNKS[0]);
    expect(run.code).to.equal(18);
    expect(run.stderr.split("\n")).to.have.length(2);
    expect(run.stderr).to.match(/^streaming-rest-api: the connection was cut mid-stream after 8 bytes/);
  });

  it("exits 7 when nothing listens, 2 on a usage mistake, 0 with --help", async () => {
    const port = await closedPort();
    const unreachable = await runCli(["invoke", `http://127.0.0.1:${port}/stream`, "--no-sign"], {});
    expect(unreachable.code).to.equal(7);
    expect(unreachable.stderr).to.match(/^streaming-rest-api: .*ECONNREFUSED/);
    const usage = await runCli(["invoke"], {});
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.match(/^streaming-rest-api: invoke needs the URL to call/);
    const help = await runCli(["--help"], {});
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/^Usage: streaming-rest-api invoke URL/);
    expect(help.stdout).to.include("18  the connection was cut mid-stream");
  });
});

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const probe = net.createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => probe.once("listening", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
