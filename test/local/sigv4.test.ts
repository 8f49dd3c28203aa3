// The local server's SigV4 check against signers we did not write: curl's --aws-sigv4, and requests signed by hand-picked rules.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { verifySigV4, type SignedRequest } from "../../local/auth/sigv4Verifier";
import { startGatedServer, TEST_CREDENTIALS, type GatedServer } from "../client/gatedServer";

/** Runs curl and resolves with its status line's code and body (`-w` appends the code after a newline). */
function curl(args: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("curl", ["-sS", "-w", "\n%{http_code}", ...args]);
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (data: string) => (out += data));
    child.on("error", reject);
    child.on("close", () => {
      const cut = out.lastIndexOf("\n");
      resolve({ status: Number(out.slice(cut + 1)), body: out.slice(0, cut) });
    });
  });
}

describe("the local server's SigV4 check with curl --aws-sigv4", function () {
  this.timeout(30_000);
  let server: GatedServer;

  beforeEach(async () => {
    server = await startGatedServer({ auth: "AWS_IAM", credentials: TEST_CREDENTIALS, route: "*" });
  });

  afterEach(() => server.close());

  const signWith = (secret: string): string[] => [
    "--aws-sigv4",
    "aws:amz:us-west-2:execute-api",
    "--user",
    `${TEST_CREDENTIALS.accessKeyId}:${secret}`,
    "-H",
    `x-amz-security-token: ${TEST_CREDENTIALS.sessionToken}`,
  ];

  it("accepts curl's signature of a POST with a query, and refuses a wrong secret", async () => {
    // A plain path and one query parameter: curl 7.88 (Debian 12's) neither encodes a percent-encoded path
    // again nor sorts query parameters in its canonical request, as SigV4 wants; AWS (and we) would refuse those.
    const url = `${server.t.server.url}/items/abc?echo=1`;
    const ok = await curl([...signWith(TEST_CREDENTIALS.secretAccessKey), "-d", '{"n":1}', url]);
    expect(ok.status, ok.body).to.equal(200);
    expect(JSON.parse(ok.body)).to.deep.include({ method: "POST", body: '{"n":1}' });
    const wrong = await curl([...signWith("wrong"), url]);
    expect(wrong.status).to.equal(403);
    expect(JSON.parse(wrong.body).message).to.match(/^The request signature we calculated does not match/);
  });
});

describe("verifySigV4 (no network)", () => {
  const credentials = { accessKeyId: "AKIDUNIT000000000001", secretAccessKey: "unit-secret" };
  const signer = new SignatureV4({
    credentials,
    region: "ap-southeast-2",
    service: "execute-api",
    sha256: Hash.bind(null, "sha256"),
  });

  /** Signs `headers` for GET `target` (path and query, as sent) and returns the request as the server gets it. */
  async function signed(
    target: string,
    headers: Record<string, string>,
    options: { unsignableHeaders?: Set<string> } = {},
  ): Promise<SignedRequest> {
    const url = new URL(target, "http://127.0.0.1:7000");
    const query: Record<string, string[]> = {};
    for (const [name, value] of url.searchParams) query[name] = [...(query[name] ?? []), value];
    const request = await signer.sign(
      {
        method: "GET",
        protocol: "http:",
        hostname: "127.0.0.1",
        path: url.pathname,
        query,
        headers: { host: "127.0.0.1:7000", ...headers },
      },
      options,
    );
    return {
      method: "GET",
      url: target,
      rawHeaders: Object.entries(request.headers).flat(),
      body: Buffer.alloc(0),
    };
  }

  it("accepts header values with runs of spaces (canonicalized) and an unsigned header beside the signed ones", async () => {
    const request = await signed(
      "/stream",
      { "x-custom": "a   b", "x-unsigned": "1" },
      {
        unsignableHeaders: new Set(["x-unsigned"]),
      },
    );
    expect(await verifySigV4(request, credentials)).to.equal(undefined);
  });

  it("accepts a percent-encoded path (encoded once more in the canonical request) and a repeated query key", async () => {
    const request = await signed("/items/a%20b/%C3%A9?x=2&x=1&y=a%2Bb", {});
    expect(await verifySigV4(request, credentials)).to.equal(undefined);
  });

  it("accepts UNSIGNED-PAYLOAD, and refuses a header changed after signing", async () => {
    const request = await signed("/stream", { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "x-custom": "v" });
    expect(await verifySigV4(request, credentials)).to.equal(undefined);
    const changed = {
      ...request,
      rawHeaders: request.rawHeaders.map((value) => (value === "v" ? "w" : value)),
    };
    expect((await verifySigV4(changed, credentials))?.errorType).to.equal("InvalidSignatureException");
  });

  it("refuses a credential scope dated another day than X-Amz-Date", async () => {
    const request = await signed("/stream", {});
    const rawHeaders = request.rawHeaders.map((value) =>
      value.startsWith("AWS4-HMAC-SHA256") ? value.replace(/\/\d{8}\//, "/19990101/") : value,
    );
    const denial = await verifySigV4({ ...request, rawHeaders }, credentials);
    expect(denial?.message).to.match(
      /^Date in Credential scope does not match YYYYMMDD .*'19990101' != '\d{8}'/,
    );
  });
});
