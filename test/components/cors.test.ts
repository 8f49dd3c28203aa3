// The cors argument under Pulumi mocks: the preflight, the gateway responses, the function's settings, parity.
import { promiseOf, recorder, settle } from "../helpers/pulumiMocks";
// The mocks above are installed before the component module is loaded.
import { deploy, EXAMPLE_HANDLER, inputsOf, inScratchProject } from "./mockedStack";
import { expect } from "chai";
import { StreamingRestApi, StreamingRestApiArgumentError, type StreamingRestApiArgs } from "../../components";
import { GATEWAY_RESPONSE_TEMPLATE, originOverrideTemplate, preflightHeaders } from "../../components/cors";
import { resolveCors } from "../../components/corsSettings";
import { HttpMethod } from "../../components/enums";
import {
  DEFAULT_CORS_ALLOW_HEADERS,
  DEFAULT_CORS_MAX_AGE,
  PREFLIGHT_STATUS,
  preflightHeaders as localPreflightHeaders,
  resolveLocalCors,
} from "../../local/gateway/cors";
import { parseCorsSettings } from "../../runtime/cors";

const APP = "https://app.example.com";
const ADMIN = "https://admin.example.com";

/** The `refuse` helper: resolveCors with a fail that throws what it is told. */
function corsRefusal(
  raw: unknown,
  method: HttpMethod = HttpMethod.Any,
): { argument: string; message: string } {
  try {
    resolveCors(raw, method, (argument, message) => {
      throw new StreamingRestApiArgumentError("api", argument, message);
    });
  } catch (error) {
    expect(error).to.be.instanceOf(StreamingRestApiArgumentError);
    return error as StreamingRestApiArgumentError;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

describe("StreamingRestApi cors", function () {
  this.timeout(60_000);
  inScratchProject("cors");

  describe("with one origin", function () {
    before(async function () {
      await deploy("cors-one", {
        method: "GET",
        cors: { allowOrigins: [APP], allowCredentials: true, exposeHeaders: ["X-Request-Id"] },
      });
    });

    it("answers preflights on the route's resource with an OPTIONS MOCK method, without authorization", function () {
      const resourceId = recorder.get("cors-one-path-0").id;
      expect(inputsOf("cors-one-cors-method")).to.deep.equal({
        restApi: recorder.get("cors-one-api").id,
        resourceId,
        httpMethod: "OPTIONS",
        authorization: "NONE",
      });
      expect(inputsOf("cors-one-cors-integration")).to.deep.equal({
        restApi: recorder.get("cors-one-api").id,
        resourceId,
        httpMethod: "OPTIONS",
        type: "MOCK",
        requestTemplates: { "application/json": '{"statusCode": 204}' },
        passthroughBehavior: "WHEN_NO_MATCH",
        contentHandling: "CONVERT_TO_TEXT",
      });
      // The route itself keeps its method and its IAM authorization.
      expect(inputsOf("cors-one-method")).to.deep.include({ httpMethod: "GET", authorization: "AWS_IAM" });
    });

    it("declares and sets the preflight's CORS headers: the origin, the route's method, the defaults", function () {
      const expected = {
        "Access-Control-Allow-Origin": APP,
        "Access-Control-Allow-Methods": "GET,OPTIONS",
        "Access-Control-Allow-Headers": DEFAULT_CORS_ALLOW_HEADERS.join(","),
        "Access-Control-Max-Age": "600",
        Vary: "Origin",
        "Access-Control-Allow-Credentials": "true",
      };
      const declared = inputsOf("cors-one-cors-method-response");
      expect(declared["statusCode"]).to.equal("204");
      expect(declared["responseParameters"]).to.deep.equal(
        Object.fromEntries(Object.keys(expected).map((name) => [`method.response.header.${name}`, true])),
      );
      const set = inputsOf("cors-one-cors-integration-response");
      expect(set).to.deep.include({
        statusCode: "204",
        contentHandling: "CONVERT_TO_TEXT",
        httpMethod: "OPTIONS",
      });
      expect(set["responseParameters"]).to.deep.equal(
        Object.fromEntries(
          Object.entries(expected).map(([name, value]) => [`method.response.header.${name}`, `'${value}'`]),
        ),
      );
      expect(set, "one origin needs no template").to.not.have.property("responseTemplates");
    });

    it("adds the origin to API Gateway's 4XX and 5XX errors, keeping their JSON message", function () {
      for (const [suffix, type] of [
        ["cors-4xx", "DEFAULT_4XX"],
        ["cors-5xx", "DEFAULT_5XX"],
      ]) {
        expect(inputsOf(`cors-one-${suffix}`)).to.deep.equal({
          restApiId: recorder.get("cors-one-api").id,
          responseType: type,
          responseParameters: {
            "gatewayresponse.header.Access-Control-Allow-Origin": `'${APP}'`,
            "gatewayresponse.header.Vary": "'Origin'",
            "gatewayresponse.header.Access-Control-Allow-Credentials": "'true'",
            "gatewayresponse.header.Access-Control-Expose-Headers": "'X-Request-Id'",
          },
          responseTemplates: { "application/json": GATEWAY_RESPONSE_TEMPLATE },
        });
      }
    });

    it("hands the function its settings as JSON the runtime parses to the same settings", function () {
      const variables = inputsOf("cors-one-fn")["environment"]["variables"] as Record<string, string>;
      const json = variables["STREAMING_REST_API_CORS"] ?? "";
      expect(JSON.parse(json)).to.deep.equal({
        allowOrigins: [APP],
        allowHeaders: [...DEFAULT_CORS_ALLOW_HEADERS],
        allowMethods: ["GET", "OPTIONS"],
        exposeHeaders: ["X-Request-Id"],
        allowCredentials: true,
        maxAge: 600,
      });
      expect(Object.keys(JSON.parse(json))).to.deep.equal([
        "allowOrigins",
        "allowHeaders",
        "allowMethods",
        "exposeHeaders",
        "allowCredentials",
        "maxAge",
      ]);
      expect(parseCorsSettings(json)).to.deep.equal(JSON.parse(json));
      expect(variables["AWS_LAMBDA_EXEC_WRAPPER"]).to.equal("/var/task/bootstrap");
    });
  });

  it("keeps the settings in the function's environment when a transform replaces it, unless it sets them", async function () {
    await deploy("cors-transformed", {
      cors: { allowOrigins: [APP] },
      transform: { function: { environment: { variables: { FOO: "bar" } } } },
    });
    const variables = inputsOf("cors-transformed-fn")["environment"]["variables"] as Record<string, string>;
    expect(Object.keys(variables).sort()).to.deep.equal([
      "AWS_LAMBDA_EXEC_WRAPPER",
      "FOO",
      "STREAMING_REST_API_CORS",
    ]);
    expect(JSON.parse(variables["STREAMING_REST_API_CORS"] ?? "{}").allowOrigins).to.deep.equal([APP]);
    await deploy("cors-overridden", {
      cors: { allowOrigins: [APP] },
      transform: {
        function: { environment: { variables: { STREAMING_REST_API_CORS: '{"allowOrigins":["*"]}' } } },
      },
    });
    expect(inputsOf("cors-overridden-fn")["environment"]["variables"]["STREAMING_REST_API_CORS"]).to.equal(
      '{"allowOrigins":["*"]}',
    );
  });

  it("allows any origin with '*' everywhere and no Vary", async function () {
    await deploy("cors-any", { cors: { allowOrigins: ["*"], maxAge: 0 } });
    const parameters = inputsOf("cors-any-cors-integration-response")["responseParameters"];
    expect(parameters).to.include({
      "method.response.header.Access-Control-Allow-Origin": "'*'",
      "method.response.header.Access-Control-Allow-Methods": "'GET,POST,PUT,PATCH,DELETE,HEAD,OPTIONS'",
      "method.response.header.Access-Control-Max-Age": "'0'",
    });
    expect(parameters).to.not.have.property("method.response.header.Vary");
    expect(inputsOf("cors-any-cors-4xx")["responseParameters"]).to.deep.equal({
      "gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
    });
  });

  it("picks the request's origin among several with a response template, and echoes it on errors", async function () {
    await deploy("cors-many", { cors: { allowOrigins: [APP, ADMIN, "http://localhost:5173"] } });
    const response = inputsOf("cors-many-cors-integration-response");
    expect(response["responseParameters"]["method.response.header.Access-Control-Allow-Origin"]).to.equal(
      `'${APP}'`,
    );
    const template = response["responseTemplates"]["application/json"] as string;
    expect(template).to.equal(originOverrideTemplate([APP, ADMIN, "http://localhost:5173"]));
    expect(template).to.include(`#foreach($allowed in ['${APP}', '${ADMIN}', 'http://localhost:5173'])`);
    expect(template).to.include("$context.responseOverride.header.Access-Control-Allow-Origin = $origin");
    expect(template).to.include("input.params().header.get('Origin')");
    expect(template).to.include("input.params().header.get('origin')");
    expect(inputsOf("cors-many-cors-5xx")["responseParameters"]).to.include({
      "gatewayresponse.header.Access-Control-Allow-Origin": "method.request.header.Origin",
      "gatewayresponse.header.Vary": "'Origin'",
    });
  });

  it("changes the deployment's trigger when the cors settings change", async function () {
    async function triggerFor(origins: string[] | undefined): Promise<string> {
      const before = recorder.resources.length;
      await deploy("cors-redeploy", { cors: origins === undefined ? undefined : { allowOrigins: origins } });
      const found = recorder.resources
        .slice(before)
        .find((resource) => resource.name === "cors-redeploy-deployment");
      return String(found?.inputs["triggers"]["redeployment"]);
    }
    const one = await triggerFor([APP]);
    expect(await triggerFor([APP]), "unchanged").to.equal(one);
    expect(await triggerFor([ADMIN]), "another origin").to.not.equal(one);
    expect(await triggerFor(undefined), "no cors").to.not.equal(one);
  });

  it("answers a preflight with the headers the local server gives an allowed origin", async function () {
    for (const method of ["ANY", "GET", "POST"] as const) {
      const settings = { allowOrigins: [APP], allowCredentials: true };
      const deployed = resolveCors(settings, method, () => {
        throw new Error("refused");
      });
      const local = resolveLocalCors(settings, undefined, method);
      expect(local, method).to.not.equal(undefined);
      expect(preflightHeaders(deployed!), method).to.deep.equal(localPreflightHeaders(local!, APP));
    }
    expect(DEFAULT_CORS_MAX_AGE).to.equal(600);
    expect(String(PREFLIGHT_STATUS)).to.equal("204");
    const url = await promiseOf(
      new StreamingRestApi("cors-url", { handler: EXAMPLE_HANDLER, cors: { allowOrigins: ["*"] } }).url,
    );
    expect(url).to.match(/\/prod\/stream$/);
  });

  it("refuses, before anything is created, origins the runtime would refuse and settings it cannot carry", function () {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ allowOrigins: [] }, "cors.allowOrigins", /non-empty list of origins/],
      [{ allowOrigins: "https://app.example.com" }, "cors.allowOrigins", /non-empty list/],
      [
        { allowOrigins: ["https://app.example.com/"] },
        "cors.allowOrigins",
        /not a URL origin.*trailing slash/,
      ],
      [{ allowOrigins: ["https://app.example.com/path"] }, "cors.allowOrigins", /not a URL origin/],
      [{ allowOrigins: ["https://App.Example.com"] }, "cors.allowOrigins", /lower case/],
      [{ allowOrigins: ["app.example.com"] }, "cors.allowOrigins", /scheme:\/\/host/],
      [{ allowOrigins: ["https://app.example.com:443"] }, "cors.allowOrigins", /not a URL origin/],
      [{ allowOrigins: ["*"], allowCredentials: true }, "cors.allowOrigins", /browsers refuse credentials/],
      [{ allowOrigins: ["*", APP] }, "cors.allowOrigins", /mixes "\*" with origins/],
      [{ allowOrigins: [APP, APP] }, "cors.allowOrigins", /twice/],
      [{ allowOrigins: [APP], allowCredentials: "yes" }, "cors.allowCredentials", /true or false/],
      [{ allowOrigins: [APP], maxAge: -1 }, "cors.maxAge", /0 or more/],
      [{ allowOrigins: [APP], allowHeaders: ["X-It's"] }, "cors.allowHeaders", /not a header name/],
      [{ allowOrigins: [APP], exposeHeaders: ["a b"] }, "cors.exposeHeaders", /not a header name/],
      [{ allowOrigins: [APP], allowMethods: ["get"] }, "cors.allowMethods", /upper case/],
      [{ allowOrigins: [APP], allowMethods: [] }, "cors.allowMethods", /non-empty/],
      ["https://app.example.com", "cors", /must be an object/],
    ];
    for (const [raw, argument, message] of cases) {
      const error = corsRefusal(raw);
      expect(error.argument, JSON.stringify(raw)).to.equal(argument);
      expect(error.message, JSON.stringify(raw)).to.match(message);
      // Whatever the component refuses in allowOrigins, the runtime's parser refuses too (or it is the
      // component's own stricter rule: "*" mixed with origins, duplicates).
      if (
        argument === "cors.allowOrigins" &&
        Array.isArray((raw as { allowOrigins?: unknown }).allowOrigins)
      ) {
        const strictlyOurs = /mixes|twice/.test(error.message);
        if (!strictlyOurs)
          expect(() => parseCorsSettings(JSON.stringify(raw)), JSON.stringify(raw)).to.throw();
      }
    }
    expect(corsRefusal({ allowOrigins: [APP] }, HttpMethod.Options).message).to.match(/cannot be "OPTIONS"/);
  });

  it("refuses cors beside an environment that sets its variable, and a transform that makes the preflight reach anything", async function () {
    const refusals: Array<[Partial<StreamingRestApiArgs>, string]> = [
      [{ cors: { allowOrigins: [APP] }, environment: { STREAMING_REST_API_CORS: "{}" } }, "environment"],
      [
        { cors: { allowOrigins: [APP] }, transform: { corsIntegration: { type: "HTTP_PROXY" } } },
        "transform.corsIntegration",
      ],
    ];
    for (const [index, [args, argument]] of refusals.entries()) {
      const name = `cors-refused-${index}`;
      expect(() => new StreamingRestApi(name, { handler: EXAMPLE_HANDLER, ...args }))
        .to.throw(StreamingRestApiArgumentError)
        .with.property("argument", argument);
      await settle();
      expect(recorder.has(name)).to.equal(false);
      expect(recorder.childrenOf(name)).to.deep.equal([]);
    }
  });
});
