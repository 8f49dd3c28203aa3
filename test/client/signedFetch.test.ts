// signedFetch against the local server with LOCAL_LAMBDA_AUTH=AWS_IAM: streams when signed right, 403s as API Gateway.
import { expect } from "chai";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { MissingRegionError, regionFromUrl, signedFetch } from "../../client";
import { CHUNKS, startGatedServer, TEST_CREDENTIALS, type GatedServer } from "./gatedServer";

/** The environment the local server and the AWS SDK's default chain read in these tests. */
const TEST_ENV = {
  LOCAL_LAMBDA_AUTH: "AWS_IAM",
  AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
  AWS_SESSION_TOKEN: TEST_CREDENTIALS.sessionToken,
  AWS_EC2_METADATA_DISABLED: "true",
};
const REGION = "eu-west-1";

/** Signs a GET as a SigV4 client would, at `date`, with `credentials`; returns the headers to send. */
async function signAt(url: URL, date: Date, credentials = TEST_CREDENTIALS): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    credentials,
    region: REGION,
    service: "execute-api",
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.sign(
    {
      method: "GET",
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: { host: url.host },
    },
    { signingDate: date },
  );
  const { host: _host, ...headers } = signed.headers;
  return headers;
}

async function refusal(
  response: Response,
): Promise<{ status: number; type: string | null; message: string }> {
  const body = (await response.json()) as { message: string };
  return { status: response.status, type: response.headers.get("x-amzn-errortype"), message: body.message };
}

describe("signedFetch and the local server's AWS_IAM authorization", () => {
  const saved: Record<string, string | undefined> = {};
  let server: GatedServer;
  let url: string;

  before(() => {
    for (const [name, value] of Object.entries(TEST_ENV)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });

  after(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  beforeEach(async () => {
    // Auth and credentials come from the environment, as with `LOCAL_LAMBDA_AUTH=AWS_IAM npm start`.
    server = await startGatedServer();
    url = `${server.t.server.url}/stream`;
  });

  afterEach(async () => {
    await server.close();
  });

  it("streams a correctly signed request chunk by chunk, each chunk read before the next is written", async () => {
    // Credentials from the AWS SDK's default chain (the environment here), region given: a local URL names none.
    const response = await signedFetch(url, {}, { region: REGION });
    expect(response.status).to.equal(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const received: { text: string; at: number }[] = [];
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      received.push({ text: Buffer.from(next.value).toString("utf8"), at: performance.now() });
      server.release(received.length - 1);
    }
    expect(received.map((chunk) => chunk.text)).to.deep.equal(CHUNKS);
    for (let i = 0; i + 1 < received.length; i++) {
      // Chunk i was in the client's hands before the handler began writing chunk i + 1.
      expect(received[i]?.at).to.be.lessThan(server.writeStartedAt[i + 1] as number);
    }
  });

  it("signs the method, query, headers and body: a POST with an encoded query reaches the handler", async () => {
    const response = await signedFetch(
      `${url}?echo=1&q=a%20b%2Fc&x=1&x=2`,
      { method: "POST", body: "héllo", headers: { "X-Test": "yes" } },
      { region: REGION, credentials: TEST_CREDENTIALS },
    );
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({
      method: "POST",
      body: "héllo",
      query: { echo: ["1"], q: ["a b/c"], x: ["1", "2"] },
      header: "yes",
    });
  });

  it("answers a wrong secret with API Gateway's 403 signature mismatch, with the canonical request", async () => {
    const credentials = { ...TEST_CREDENTIALS, secretAccessKey: "wrong-secret" };
    const answer = await refusal(await signedFetch(url, {}, { region: REGION, credentials }));
    expect(answer.status).to.equal(403);
    expect(answer.type).to.equal("InvalidSignatureException");
    expect(answer.message).to.match(
      /^The request signature we calculated does not match the signature you provided\./,
    );
    expect(answer.message).to.include(
      "The Canonical String for this request should have been\n'GET\n/stream\n",
    );
  });

  it("answers a changed body with a signature mismatch (the signature covers the body's hash)", async () => {
    const tamper: typeof fetch = (input, init) => fetch(input, { ...init, body: "changed on the way" });
    const response = await signedFetch(
      url,
      { method: "POST", body: "signed body" },
      { region: REGION, fetch: tamper },
    );
    expect((await refusal(response)).type).to.equal("InvalidSignatureException");
  });

  it("answers a stale or future date with Signature expired / not yet current, and accepts 4 minutes of skew", async () => {
    const target = new URL(url);
    const minutes = (n: number): Date => new Date(Date.now() + n * 60_000);
    const stale = await refusal(await fetch(url, { headers: await signAt(target, minutes(-6)) }));
    expect(stale.status).to.equal(403);
    expect(stale.type).to.equal("InvalidSignatureException");
    expect(stale.message).to.match(
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/,
    );
    const future = await refusal(await fetch(url, { headers: await signAt(target, minutes(6)) }));
    expect(future.message).to.match(/^Signature not yet current: .* \+ 5 min\.\)$/);
    server.release(0);
    server.release(1);
    const skewed = await fetch(url, { headers: await signAt(target, minutes(-4)) });
    expect(skewed.status).to.equal(200);
    expect(await skewed.text()).to.equal(CHUNKS.join(""));
  });

  it("answers a missing or wrong security token, or an unknown access key, as an invalid token", async () => {
    const { sessionToken: _token, ...longTerm } = TEST_CREDENTIALS;
    const cases = [
      longTerm,
      { ...TEST_CREDENTIALS, sessionToken: "another-token" },
      { ...TEST_CREDENTIALS, accessKeyId: "AKIDSOMEONEELSE00000" },
    ];
    for (const credentials of cases) {
      const answer = await refusal(await signedFetch(url, {}, { region: REGION, credentials }));
      expect(answer, JSON.stringify(credentials)).to.deep.equal({
        status: 403,
        type: "UnrecognizedClientException",
        message: "The security token included in the request is invalid.",
      });
    }
  });

  it("answers unsigned and malformed requests, and other services, as API Gateway does", async () => {
    expect(await refusal(await fetch(url))).to.deep.equal({
      status: 403,
      type: "MissingAuthenticationTokenException",
      message: "Missing Authentication Token",
    });
    const bearer = await refusal(await fetch(url, { headers: { Authorization: "Bearer abc" } }));
    expect(bearer.type).to.equal("IncompleteSignatureException");
    expect(bearer.message).to.equal(
      "'abc' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer abc'.",
    );
    const bare = await refusal(await fetch(url, { headers: { Authorization: "token" } }));
    expect(bare.message).to.match(
      /^Authorization header requires 'Credential' parameter\. .*Authorization=token$/,
    );
    const lambda = await refusal(await signedFetch(url, {}, { region: REGION, service: "lambda" }));
    expect(lambda.message).to.equal("Credential should be scoped to correct service: 'execute-api'. ");
  });
});

describe("signedFetch's signing scope", () => {
  it("reads the region from execute-api URLs and asks for it elsewhere, naming the option", async () => {
    expect(regionFromUrl(new URL("https://abc123.execute-api.eu-west-1.amazonaws.com/prod/stream"))).to.equal(
      "eu-west-1",
    );
    expect(regionFromUrl(new URL("https://abc-vpce-1.execute-api.us-east-2.vpce.amazonaws.com/x"))).to.equal(
      "us-east-2",
    );
    expect(regionFromUrl(new URL("https://api.example.com/stream"))).to.equal(undefined);
    const error = await signedFetch(
      "https://api.example.com/stream",
      {},
      { credentials: TEST_CREDENTIALS },
    ).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).to.be.instanceOf(MissingRegionError);
    expect((error as Error).message).to.include("options.region");
    const bad = await signedFetch("not a url").then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(bad).to.be.instanceOf(TypeError);
  });
});
