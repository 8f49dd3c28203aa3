// Request builders of the Runtime API: method, path and headers of each call, without a network.
import { expect } from "chai";
import { encodeHead, encodeLastChunk, parseAddress } from "../../runtime/connection";
import {
  bufferedResponseRequest,
  initErrorRequest,
  invocationErrorRequest,
  nextInvocationRequest,
  streamingResponseRequest,
} from "../../runtime/protocol";

describe("Runtime API request builders", () => {
  it("GET /invocation/next", () => {
    expect(nextInvocationRequest()).to.deep.equal({
      method: "GET",
      path: "/2018-06-01/runtime/invocation/next",
      headers: {},
    });
  });

  it("buffered POST /invocation/{id}/response with a Content-Length", () => {
    expect(bufferedResponseRequest("abc-123", 17)).to.deep.equal({
      method: "POST",
      path: "/2018-06-01/runtime/invocation/abc-123/response",
      headers: { "Content-Type": "application/json", "Content-Length": "17" },
    });
  });

  it("streamed POST /invocation/{id}/response: response mode, chunked, error trailers announced", () => {
    const request = streamingResponseRequest(
      "abc-123",
      "application/vnd.awslambda.http-integration-response",
    );
    expect(request.method).to.equal("POST");
    expect(request.path).to.equal("/2018-06-01/runtime/invocation/abc-123/response");
    expect(request.headers).to.deep.equal({
      "Lambda-Runtime-Function-Response-Mode": "streaming",
      "Content-Type": "application/vnd.awslambda.http-integration-response",
      "Transfer-Encoding": "chunked",
      Trailer: "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body",
    });
  });

  it("POST /invocation/{id}/error with the error type header", () => {
    expect(invocationErrorRequest("abc-123", "TypeError", 99)).to.deep.equal({
      method: "POST",
      path: "/2018-06-01/runtime/invocation/abc-123/error",
      headers: {
        "Lambda-Runtime-Function-Error-Type": "TypeError",
        "Content-Type": "application/json",
        "Content-Length": "99",
      },
    });
  });

  it("POST /init/error with the error type header", () => {
    const request = initErrorRequest("Runtime.ImportModuleError", 5);
    expect(request.method).to.equal("POST");
    expect(request.path).to.equal("/2018-06-01/runtime/init/error");
    expect(request.headers["Lambda-Runtime-Function-Error-Type"]).to.equal("Runtime.ImportModuleError");
  });

  it("escapes request ids in paths", () => {
    expect(bufferedResponseRequest("a/b c", 0).path).to.equal(
      "/2018-06-01/runtime/invocation/a%2Fb%20c/response",
    );
  });

  it("encodes a request head and a last chunk with trailers", () => {
    expect(encodeHead(nextInvocationRequest(), "127.0.0.1:9001")).to.equal(
      "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n\r\n",
    );
    expect(encodeLastChunk()).to.equal("0\r\n\r\n");
    expect(encodeLastChunk({ "X-A": "1" })).to.equal("0\r\nX-A: 1\r\n\r\n");
  });

  it("parses AWS_LAMBDA_RUNTIME_API addresses and refuses bad ones", () => {
    expect(parseAddress("127.0.0.1:9001")).to.deep.equal({ host: "127.0.0.1", port: 9001 });
    expect(parseAddress("[::1]:9001")).to.deep.equal({ host: "::1", port: 9001 });
    expect(() => parseAddress("localhost")).to.throw(/host:port/);
    expect(() => parseAddress("localhost:0")).to.throw(/host:port/);
    expect(() => parseAddress("localhost:70000")).to.throw(/host:port/);
  });
});
