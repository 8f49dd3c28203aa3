// requestFromEvent: the headers, host and method of the Request, and the errors naming what an event gets wrong.
import { expect } from "chai";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { InvalidEventError } from "../../runtime/restApiEvent";
import { requestFromEvent } from "../../runtime/web/requestFromEvent";
import { sampleRestApiEvent } from "../fixtures/restApiProxyEvent";

/** The sample event (`GET /stream?q=1`) with these changes. */
function event(changes: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent {
  return { ...sampleRestApiEvent(), ...changes };
}

describe("requestFromEvent", () => {
  it("appends every multiValueHeaders value, then the headers names it lacks in any case", () => {
    const request = requestFromEvent(
      event({
        multiValueHeaders: { Host: ["api.example"], Accept: ["a/b", "c/d"], "X-Dup": ["1"], "x-dup": ["2"] },
        headers: { Host: "api.example", Accept: "c/d", "X-DUP": "ignored", "X-Only-Single": "s" },
      }),
    );
    expect([...request.headers]).to.deep.equal([
      ["accept", "a/b, c/d"],
      ["host", "api.example"],
      ["x-dup", "1, 2"],
      ["x-only-single", "s"],
    ]);
  });

  it("takes the host from the first Host value in any case, else the headers, else the domain name", () => {
    const urls = [
      event({ multiValueHeaders: { host: ["first.example", "second.example"] }, headers: {} }),
      event({ multiValueHeaders: {}, headers: { HOST: "single.example:8443" } }),
      event({ multiValueHeaders: {}, headers: {} }),
      event({
        multiValueHeaders: {},
        headers: {},
        requestContext: { ...sampleRestApiEvent().requestContext, domainName: "" },
      }),
    ].map((e) => requestFromEvent(e).url);
    expect(urls).to.deep.equal([
      "https://first.example/stream?q=1",
      "https://single.example:8443/stream?q=1",
      "https://abc123xyz.execute-api.us-east-1.amazonaws.com/stream?q=1",
      "https://localhost/stream?q=1",
    ]);
  });

  it("passes a value beyond Latin-1 as its UTF-8 bytes, and keeps the method's case-insensitive name", () => {
    const request = requestFromEvent(
      event({ httpMethod: "post", multiValueHeaders: { "X-Name": ["Zoë 日本"] }, headers: {} }),
    );
    expect(request.method).to.equal("POST");
    expect(Buffer.from(request.headers.get("x-name")!, "latin1").toString("utf8")).to.equal("Zoë 日本");
  });

  it("names a header name that is not a token, a value with CR, LF or NUL, and a host that is none", () => {
    const cases: [Partial<APIGatewayProxyEvent>, RegExp][] = [
      [
        { multiValueHeaders: { "Bad Name": ["x"] }, headers: {} },
        /request header name "Bad Name" is not an HTTP token/,
      ],
      [
        { multiValueHeaders: {}, headers: { "X-Split": "a\r\nInjected: 1" } },
        /"X-Split" has a value .*CR, LF or NUL/,
      ],
      [{ multiValueHeaders: { "X-Nul": ["a\u0000b"] }, headers: {} }, /"X-Nul" has a value .*CR, LF or NUL/],
      [{ multiValueHeaders: { Host: ["a:b:c"] }, headers: {} }, /host "a:b:c" is not a host name/],
      [
        { multiValueHeaders: { Host: ["example.com:99999"] }, headers: {} },
        /host "example.com:99999" is not/,
      ],
      [{ multiValueHeaders: { Host: ["evil.example/x"] }, headers: {} }, /host "evil.example\/x" is not/],
      [{ httpMethod: "GE T" }, /event.httpMethod "GE T" is not an HTTP method/],
      [{ httpMethod: "CONNECT" }, /event cannot become a Request: .*CONNECT/],
    ];
    for (const [changes, message] of cases) {
      expect(() => requestFromEvent(event(changes)), String(message)).to.throw(InvalidEventError, message);
    }
  });
});
