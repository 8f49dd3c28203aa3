// REST API payload 1.0 events as a handler reads them: parsed and checked, body decoded, headers looked up.
import { expect } from "chai";
import {
  InvalidEventError,
  parseRestApiEvent,
  restApiEventBody,
  restApiEventHeader,
} from "../../runtime/restApiEvent";
import { sampleRestApiEvent } from "../fixtures/restApiProxyEvent";

describe("parseRestApiEvent", () => {
  const valid = (): Record<string, unknown> => JSON.parse(JSON.stringify(sampleRestApiEvent()));

  it("returns the event API Gateway sent", () => {
    const original = valid();
    const parsed = parseRestApiEvent(Buffer.from(JSON.stringify(original)));
    expect(parsed).to.deep.equal(original);
    expect(parsed.queryStringParameters).to.deep.equal({ q: "1" });
  });

  it("normalises fields API Gateway may leave out or set to null", () => {
    const event = valid();
    event.headers = null;
    event.multiValueHeaders = null;
    delete event.body;
    delete event.isBase64Encoded;
    delete event.stageVariables;
    const parsed = parseRestApiEvent(Buffer.from(JSON.stringify(event)));
    expect(parsed.headers).to.deep.equal({});
    expect(parsed.multiValueHeaders).to.deep.equal({});
    expect(parsed.body).to.equal(null);
    expect(parsed.isBase64Encoded).to.equal(false);
    expect(parsed.stageVariables).to.equal(null);
  });

  it("names what is wrong", () => {
    const cases: [unknown, RegExp][] = [
      ["not json", /not JSON/],
      [[1, 2], /JSON object/],
      [{ version: "2.0", rawPath: "/", routeKey: "$default" }, /HTTP API \(payload format 2\.0\)/],
      [{ ...valid(), httpMethod: 5 }, /event\.httpMethod must be a string/],
      [{ ...valid(), requestContext: "x" }, /requestContext must be an object/],
      [{ ...valid(), headers: { a: 1 } }, /event\.headers must be an object of strings/],
      [{ ...valid(), multiValueQueryStringParameters: { a: "1" } }, /string arrays/],
      [{ ...valid(), body: 42 }, /event\.body must be a string or null/],
      [{ ...valid(), isBase64Encoded: "yes" }, /isBase64Encoded must be a boolean/],
    ];
    for (const [input, message] of cases) {
      const bytes = Buffer.from(typeof input === "string" ? input : JSON.stringify(input));
      expect(() => parseRestApiEvent(bytes), String(message)).to.throw(InvalidEventError, message);
    }
  });
});

describe("restApiEventBody and restApiEventHeader", () => {
  it("decodes base64 bodies, reads text bodies as UTF-8, and gives an empty buffer for none", () => {
    expect(restApiEventBody({ body: "AP8=", isBase64Encoded: true }).equals(Buffer.from([0, 255]))).to.equal(
      true,
    );
    expect(restApiEventBody({ body: "héllo", isBase64Encoded: false }).toString("utf8")).to.equal("héllo");
    expect(restApiEventBody({ body: null, isBase64Encoded: false }).length).to.equal(0);
  });

  it("looks headers up case-insensitively", () => {
    const event = { headers: { "Content-Type": "text/plain", "X-Api-Key": "k" } };
    expect(restApiEventHeader(event, "content-type")).to.equal("text/plain");
    expect(restApiEventHeader(event, "X-API-KEY")).to.equal("k");
    expect(restApiEventHeader(event, "missing")).to.equal(undefined);
  });
});
