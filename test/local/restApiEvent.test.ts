// REST API payload 1.0 events as the local server builds them: from a request, with resources matched.
import { expect } from "chai";
import { buildRestApiEvent, isBinaryBody, type IncomingRequestLike } from "../../local/gateway/restApiEvent";
import { EVERY_PATH, resolveRoute, routeProblem, type LocalRoute } from "../../local/gateway/route";
import { parseRestApiEvent } from "../../runtime/restApiEvent";

function fakeRequest(overrides: Partial<IncomingRequestLike> = {}): IncomingRequestLike {
  return {
    method: "GET",
    url: "/stream",
    httpVersion: "1.1",
    rawHeaders: ["Host", "127.0.0.1:7000", "User-Agent", "curl/8.5.0"],
    socket: { remoteAddress: "::ffff:127.0.0.1", localPort: 7000 },
    ...overrides,
  };
}

describe("buildRestApiEvent", () => {
  const now = new Date(Date.UTC(2025, 3, 9, 12, 34, 56, 789));

  it("builds the payload 1.0 event for a request on the route", () => {
    const match = resolveRoute({ path: "/stream", method: "ANY" }, "GET", "/stream");
    const event = buildRestApiEvent(fakeRequest(), Buffer.alloc(0), { match, requestId: "req-1", now });
    expect(event.resource).to.equal("/stream");
    expect(event.path).to.equal("/stream");
    expect(event.httpMethod).to.equal("GET");
    expect(event.pathParameters).to.equal(null);
    expect(event.queryStringParameters).to.equal(null);
    expect(event.multiValueQueryStringParameters).to.equal(null);
    expect(event.stageVariables).to.equal(null);
    expect(event.body).to.equal(null);
    expect(event.isBase64Encoded).to.equal(false);
    expect(event.headers).to.deep.equal({
      Host: "127.0.0.1:7000",
      "User-Agent": "curl/8.5.0",
      "X-Forwarded-For": "127.0.0.1",
      "X-Forwarded-Port": "7000",
      "X-Forwarded-Proto": "http",
    });
    expect(event.requestContext).to.deep.include({
      accountId: "000000000000",
      apiId: "local",
      domainName: "127.0.0.1:7000",
      httpMethod: "GET",
      path: "/local/stream",
      protocol: "HTTP/1.1",
      requestId: "req-1",
      requestTime: "09/Apr/2025:12:34:56 +0000",
      requestTimeEpoch: now.getTime(),
      resourcePath: "/stream",
      stage: "local",
    });
    expect(event.requestContext.identity.sourceIp).to.equal("127.0.0.1");
    expect(event.requestContext.identity.userAgent).to.equal("curl/8.5.0");
  });

  it("keeps header casing, the last value in headers and every value in multiValueHeaders", () => {
    const event = buildRestApiEvent(
      fakeRequest({
        rawHeaders: ["Accept", "text/html", "X-Trace", "a", "x-trace", "b", "Cookie", "a=1; b=2"],
      }),
      Buffer.alloc(0),
    );
    expect(event.headers["Accept"]).to.equal("text/html");
    expect(event.headers["X-Trace"]).to.equal("b");
    expect(event.multiValueHeaders["X-Trace"]).to.deep.equal(["a", "b"]);
    expect(event.headers["x-trace"]).to.equal(undefined);
    expect(event.headers["Cookie"]).to.equal("a=1; b=2");
  });

  it("parses query strings single- and multi-valued, decoded", () => {
    const event = buildRestApiEvent(fakeRequest({ url: "/stream?a=1&b=x%20y&a=2&empty=" }), Buffer.alloc(0));
    expect(event.path).to.equal("/stream");
    expect(event.queryStringParameters).to.deep.equal({ a: "2", b: "x y", empty: "" });
    expect(event.multiValueQueryStringParameters).to.deep.equal({ a: ["1", "2"], b: ["x y"], empty: [""] });
  });

  it("appends the client address to an existing X-Forwarded-For and keeps a given X-Forwarded-Proto", () => {
    const event = buildRestApiEvent(
      fakeRequest({ rawHeaders: ["x-forwarded-for", "203.0.113.9", "X-Forwarded-Proto", "https"] }),
      Buffer.alloc(0),
    );
    expect(event.headers["x-forwarded-for"]).to.equal("203.0.113.9, 127.0.0.1");
    expect(event.multiValueHeaders["x-forwarded-for"]).to.deep.equal(["203.0.113.9, 127.0.0.1"]);
    expect(event.headers["X-Forwarded-Proto"]).to.equal("https");
  });

  it("sends bodies matching a binary media type as base64 (every body by default), others as UTF-8", () => {
    const json = buildRestApiEvent(
      fakeRequest({ method: "POST", rawHeaders: ["Content-Type", "application/json; charset=utf-8"] }),
      Buffer.from('{"name":"Zoë"}'),
      { binaryMediaTypes: ["image/*"] },
    );
    expect(json.body).to.equal('{"name":"Zoë"}');
    expect(json.isBase64Encoded).to.equal(false);
    const jsonByDefault = buildRestApiEvent(
      fakeRequest({ method: "POST", rawHeaders: ["Content-Type", "application/json; charset=utf-8"] }),
      Buffer.from('{"name":"Zoë"}'),
    );
    expect(jsonByDefault.isBase64Encoded).to.equal(true);
    expect(Buffer.from(jsonByDefault.body as string, "base64").toString()).to.equal('{"name":"Zoë"}');

    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x10]);
    const image = buildRestApiEvent(
      fakeRequest({ method: "POST", rawHeaders: ["Content-Type", "image/jpeg"] }),
      bytes,
    );
    expect(image.isBase64Encoded).to.equal(true);
    expect(Buffer.from(image.body as string, "base64").equals(bytes)).to.equal(true);
  });

  it("without a resolved route, uses /{proxy+} for paths and / for the root (a catch-all API)", () => {
    const other = buildRestApiEvent(fakeRequest({ url: "/api/v1/items?x=1" }), Buffer.alloc(0));
    expect(other.resource).to.equal("/{proxy+}");
    expect(other.path).to.equal("/api/v1/items");
    expect(other.pathParameters).to.deep.equal({ proxy: "api/v1/items" });
    expect(other.requestContext.resourcePath).to.equal("/{proxy+}");
    const root = buildRestApiEvent(fakeRequest({ url: "/" }), Buffer.alloc(0));
    expect(root.resource).to.equal("/");
    expect(root.pathParameters).to.equal(null);
  });

  it("honours the resolved route and the stage", () => {
    const match = resolveRoute({ path: "/items/{id}", method: "ANY" }, "GET", "/items/42");
    const event = buildRestApiEvent(fakeRequest({ url: "/items/42" }), Buffer.alloc(0), {
      match,
      stage: "dev",
    });
    expect(event.resource).to.equal("/items/{id}");
    expect(event.pathParameters).to.deep.equal({ id: "42" });
    expect(event.requestContext.stage).to.equal("dev");
    expect(event.requestContext.path).to.equal("/dev/items/42");
  });
});

describe("resolveRoute", () => {
  const route = (path: string, method: LocalRoute["method"] = "ANY"): LocalRoute => ({ path, method });

  it("matches a literal route exactly, segment by segment; any other path has no route", () => {
    expect(resolveRoute(route("/stream"), "GET", "/stream")).to.deep.equal({
      resource: "/stream",
      pathParameters: null,
    });
    expect(resolveRoute(route("/stream"), "GET", "/stream/")).to.deep.equal({
      resource: "/stream",
      pathParameters: null,
    });
    for (const other of ["/streams", "/stream/more", "/", "/does/not/exist"]) {
      expect(resolveRoute(route("/stream"), "GET", other), other).to.equal(undefined);
    }
  });

  it("binds {name} to one segment and a last {name+} to the rest, decoded", () => {
    expect(
      resolveRoute(route("/users/{id}/files/{path+}"), "GET", "/users/7/files/a/b%20c.txt"),
    ).to.deep.equal({
      resource: "/users/{id}/files/{path+}",
      pathParameters: { id: "7", path: "a/b c.txt" },
    });
    expect(resolveRoute(route("/users/{id}"), "GET", "/users")).to.equal(undefined);
    expect(resolveRoute(route("/files/{path+}"), "GET", "/files")).to.equal(undefined);
    expect(resolveRoute(route("/{proxy+}"), "GET", "/")).to.equal(undefined);
  });

  it("keeps a malformed percent-escape as is rather than throwing", () => {
    expect(resolveRoute(route("/{proxy+}"), "GET", "/bad%zz")).to.deep.equal({
      resource: "/{proxy+}",
      pathParameters: { proxy: "bad%zz" },
    });
  });

  it("matches the route's method, every API Gateway method for ANY, and never a method API Gateway lacks", () => {
    expect(resolveRoute(route("/stream", "GET"), "GET", "/stream")).to.not.equal(undefined);
    expect(resolveRoute(route("/stream", "GET"), "POST", "/stream")).to.equal(undefined);
    expect(resolveRoute(route("/stream", "GET"), "HEAD", "/stream")).to.equal(undefined);
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]) {
      expect(resolveRoute(route("/stream"), method, "/stream"), method).to.not.equal(undefined);
    }
    expect(resolveRoute(route("/stream"), "PROPFIND", "/stream")).to.equal(undefined);
  });

  it("routes every path with *: / for the root, /{proxy+} for the rest", () => {
    expect(resolveRoute(route(EVERY_PATH), "DELETE", "/")).to.deep.equal({
      resource: "/",
      pathParameters: null,
    });
    expect(resolveRoute(route(EVERY_PATH), "GET", "/a/b")).to.deep.equal({
      resource: "/{proxy+}",
      pathParameters: { proxy: "a/b" },
    });
  });

  it("refuses routes API Gateway could not have, saying why", () => {
    expect(routeProblem("stream")).to.match(/must start with "\/"/);
    expect(routeProblem("/{proxy+}/more")).to.match(/greedy/);
    expect(routeProblem("/items/{id}")).to.equal(undefined);
    expect(routeProblem(EVERY_PATH)).to.equal(undefined);
  });
});

describe("isBinaryBody", () => {
  const bytes = Buffer.from([0xc3, 0x28]); // invalid UTF-8
  it("by default (binaryMediaTypes */*, the component's default) treats every body as binary", () => {
    for (const type of [
      "text/plain",
      "application/json",
      "image/png",
      "application/octet-stream",
      undefined,
    ]) {
      expect(isBinaryBody(type, bytes), String(type)).to.equal(true);
    }
    expect(isBinaryBody("image/png", Buffer.alloc(0)), "no body").to.equal(false);
  });

  it("treats as binary what matches the listed types only; no Content-Type counts as application/json", () => {
    const types = ["image/*", "application/octet-stream"];
    expect(isBinaryBody("image/png", bytes, types)).to.equal(true);
    expect(isBinaryBody("IMAGE/JPEG; q=1", bytes, types)).to.equal(true);
    expect(isBinaryBody("application/octet-stream", Buffer.from("abc"), types)).to.equal(true);
    expect(isBinaryBody("text/plain", bytes, types)).to.equal(false);
    expect(isBinaryBody(undefined, bytes, types)).to.equal(false);
    expect(isBinaryBody(undefined, bytes, ["application/json"])).to.equal(true);
    expect(isBinaryBody("image/png", bytes, [])).to.equal(false);
  });
});

describe("buildRestApiEvent, read back by parseRestApiEvent", () => {
  it("round-trips: what the local server sends is what a handler parses", () => {
    const built = JSON.parse(
      JSON.stringify(buildRestApiEvent(fakeRequest({ url: "/stream?q=1" }), Buffer.from("hi"))),
    );
    const parsed = parseRestApiEvent(Buffer.from(JSON.stringify(built)));
    expect(parsed).to.deep.equal(built);
    expect(parsed.queryStringParameters).to.deep.equal({ q: "1" });
  });
});
