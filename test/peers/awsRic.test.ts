// AWS's own Node.js runtime client (aws-lambda-ric) against our local server: clients must see what API
// Gateway would show them, from a runtime we did not write.
import { expect } from "chai";
import type { ClientProcess } from "../../bench/processes";
import { clientRequest, startTestServer, type ClientResult, type TestServer } from "../local/harness";
import {
  BINARY_BODY,
  BUFFERED_COOKIES,
  BufferedPath,
  EMPTY_PRELUDE,
  MID_STREAM_ERROR_MESSAGE,
  STREAM_PRELUDE,
  StreamPath,
  streamedChunks,
} from "./fixtures/awsRicScenarios";
import { prepareAwsRic, startAwsRic, type PreparedAwsRic } from "./helpers/awsRicPeer";
import { expectedHeaders, functionHeaders, UUID } from "./helpers/httpAssertions";

/** A fresh machine compiles curl, aws-lambda-cpp and the addon: give it time. */
const INSTALL_TIMEOUT_MS = 15 * 60_000;

/** API Gateway's body for a failed integration. */
const INTERNAL_SERVER_ERROR = '{"message":"Internal server error"}';

/** A local server with aws-lambda-ric polling it, serving one handler export. */
interface PeerSession {
  server: TestServer;
  ric: ClientProcess;
  /** Sends a client request; fails at once if the peer process dies meanwhile. */
  request(options: Parameters<typeof clientRequest>[1]): Promise<ClientResult>;
}

async function startSession(prepared: PreparedAwsRic, exportName: string): Promise<PeerSession> {
  // Every path reaches the function: the scenarios are told apart by path.
  const server = await startTestServer({ route: "*" });
  const ric = startAwsRic(prepared, server.server.runtimeApi, exportName);
  return {
    server,
    ric,
    request: (options) => Promise.race([clientRequest(server, options), ric.crashed]),
  };
}

async function stopSession(session: PeerSession | undefined): Promise<void> {
  if (!session) return;
  await session.ric.stop();
  await session.server.server.close();
}

/** The `Location` header of the empty-prelude scenarios, from the shared prelude. */
const emptyPreludeHeaders = expectedHeaders(Object.entries(EMPTY_PRELUDE.headers));

describe("aws-lambda-ric 4.0.2 against our local server", function () {
  let prepared: PreparedAwsRic;

  before(async function () {
    this.timeout(INSTALL_TIMEOUT_MS);
    prepared = await prepareAwsRic((line) => console.log(`      ${line}`));
  });

  describe("streamed replies (awslambda.streamifyResponse + HttpResponseStream)", () => {
    let session: PeerSession | undefined;
    before(async () => {
      session = await startSession(prepared, "streamed");
    });
    after(() => stopSession(session));

    it("relays the prelude's status, headers and cookies, then every body byte, chunked", async () => {
      const result = await session!.request({ path: StreamPath.prelude });
      expect(result.error, "the transfer completes").to.equal(undefined);
      expect(result.complete).to.equal(true);
      expect(result.status).to.equal(STREAM_PRELUDE.statusCode);
      expect(functionHeaders(result.rawHeaders)).to.deep.equal(
        expectedHeaders([
          ["Content-Type", "application/octet-stream"],
          ["X-Peer", "aws-lambda-ric"],
          ["X-Multi", "one"],
          ["X-Multi", "two"],
          ["Set-Cookie", "session=abc; Path=/; HttpOnly"],
          ["Set-Cookie", "theme=dark"],
        ]),
      );
      expect(result.headers["transfer-encoding"]).to.equal("chunked");
      expect(result.headers["x-amzn-requestid"]).to.match(UUID);
      const expected = Buffer.concat(streamedChunks());
      expect(result.body.length).to.equal(expected.length);
      // The body starts with 8 NULs of its own: only the prelude's delimiter may be consumed.
      expect(result.body.equals(expected), "body bytes").to.equal(true);
    });

    it("turns a throw before the first byte into API Gateway's 502", async () => {
      const result = await session!.request({ path: StreamPath.errorBeforeFirstByte });
      expect(result.status).to.equal(502);
      expect(result.headers["content-type"]).to.equal("application/json");
      expect(result.body.toString()).to.equal(INTERNAL_SERVER_ERROR);
      expect(result.complete).to.equal(true);
      expect(session!.server.logs.join("\n")).to.include(
        "function error RangeError: failed before the first byte",
      );
    });

    it("cuts the client's connection after the bytes already sent when the handler throws mid-stream", async () => {
      const result = await session!.request({ path: StreamPath.midStreamError });
      expect(result.status).to.equal(STREAM_PRELUDE.statusCode);
      expect(result.headers["x-peer"]).to.equal("aws-lambda-ric");
      expect(result.body.toString()).to.equal("partial\n");
      expect(result.complete, "a cut transfer, never a clean end").to.equal(false);
      expect(result.error).to.be.instanceOf(Error);
      // The local server read the peer's error trailers (type and base64 JSON body).
      expect(session!.server.logs.join("\n")).to.include(
        `stream cut: function error TypeError: ${MID_STREAM_ERROR_MESSAGE}`,
      );
    });

    it("sends a body-less prelude's status and headers when the handler writes an empty chunk first", async () => {
      const result = await session!.request({ path: StreamPath.emptyPreludeWithEmptyWrite });
      expect(result.error).to.equal(undefined);
      expect(result.status).to.equal(EMPTY_PRELUDE.statusCode);
      expect(functionHeaders(result.rawHeaders)).to.deep.equal(emptyPreludeHeaders);
      expect(result.body.length).to.equal(0);
      expect(result.complete).to.equal(true);
    });

    // aws-lambda-ric writes the prelude from its `write()` wrapper only; `end()` without a write sends the
    // HTTP-integration Content-Type with no prelude at all (aws-lambda-nodejs-runtime-interface-client
    // issue 97, open). The redirect is lost; a stream with no prelude cannot be mapped to a response, so the
    // local server answers API Gateway's 502 and says why in its log.
    it("reproduces the peer's lost prelude when the stream ends without a write (its own issue 97)", async () => {
      const result = await session!.request({ path: StreamPath.emptyPrelude });
      expect(result.status, "the 302 the handler asked for is lost").to.equal(502);
      expect(result.headers.location).to.equal(undefined);
      expect(result.body.toString()).to.equal(INTERNAL_SERVER_ERROR);
      expect(session!.server.logs.join("\n")).to.include(
        "Runtime.InvalidPrelude: The response ended before the prelude's 8-NUL delimiter.",
      );
    });

    it("serves the next invocation normally after the failures", async () => {
      const result = await session!.request({ path: StreamPath.prelude });
      expect(result.status).to.equal(STREAM_PRELUDE.statusCode);
      expect(result.complete).to.equal(true);
      expect(result.body.equals(Buffer.concat(streamedChunks()))).to.equal(true);
    });
  });

  describe("buffered replies (API Gateway proxy results)", () => {
    let session: PeerSession | undefined;
    before(async () => {
      session = await startSession(prepared, "buffered");
    });
    after(() => stopSession(session));

    it("maps status, single and multi-value headers and the body; the peer saw the REST API event", async () => {
      const result = await session!.request({
        method: "POST",
        path: `${BufferedPath.echo}?x=1&y=two`,
        headers: { "Content-Type": "text/plain" },
        body: "hello",
      });
      expect(result.status).to.equal(201);
      expect(functionHeaders(result.rawHeaders)).to.deep.equal(
        expectedHeaders([
          ["Content-Type", "application/json; charset=utf-8"],
          ["X-Peer", "aws-lambda-ric"],
          ...BUFFERED_COOKIES.map((cookie) => ["Set-Cookie", cookie] as const),
        ]),
      );
      const expectedBody = JSON.stringify({
        method: "POST",
        path: BufferedPath.echo,
        query: { x: "1", y: "two" },
        isBase64Encoded: true,
        body: "hello",
      });
      expect(result.body.toString()).to.equal(expectedBody);
      expect(result.headers["content-length"]).to.equal(String(Buffer.byteLength(expectedBody)));
      expect(result.headers["x-amzn-requestid"]).to.match(UUID);
    });

    it("decodes a base64 body into the exact bytes", async () => {
      const result = await session!.request({ path: BufferedPath.binary });
      expect(result.status).to.equal(200);
      expect(functionHeaders(result.rawHeaders)).to.deep.equal([
        ["content-type", "application/octet-stream"],
      ]);
      expect(result.body.equals(Buffer.from(BINARY_BODY))).to.equal(true);
    });

    it("answers 502 for a result that is not a proxy response, and for a throw", async () => {
      for (const path of [BufferedPath.notAProxyResult, BufferedPath.throws]) {
        const result = await session!.request({ path });
        expect(result.status, path).to.equal(502);
        expect(result.body.toString(), path).to.equal(INTERNAL_SERVER_ERROR);
      }
      const logs = session!.server.logs.join("\n");
      expect(logs).to.include("malformed Lambda proxy response: the response is not a JSON object.");
      expect(logs).to.include("function error TypeError: buffered handler failed");
    });
  });
});
