// The domain argument under Pulumi mocks: the REGIONAL domain, its base path mapping, the aliases, the url.
import { MOCK_ACCOUNT, promiseOf, recorder } from "../helpers/pulumiMocks";
// The mocks above are installed before the component module is loaded.
import { deploy, EXAMPLE_HANDLER, inputsOf, inScratchProject } from "./mockedStack";
import { expect } from "chai";
import { StreamingRestApi, StreamingRestApiArgumentError, type StreamingRestApiArgs } from "../../components";
import { hostNameProblem } from "../../components/domainSettings";

const CERTIFICATE = `arn:aws:acm:eu-west-1:${MOCK_ACCOUNT}:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
const ZONE = "Z0123456789ABCDEFGHIJ";

describe("StreamingRestApi domain", function () {
  this.timeout(60_000);
  inScratchProject("domain");

  it("creates a REGIONAL dual-stack domain with TLS 1.2, maps the stage at the base path, and serves url there", async function () {
    const api = await deploy("domain-full", {
      domain: {
        name: "api.example.com",
        certificateArn: CERTIFICATE,
        basePath: "/reports/v1/",
        hostedZoneId: ZONE,
      },
    });
    expect(inputsOf("domain-full-domain")).to.deep.equal({
      domainName: "api.example.com",
      regionalCertificateArn: CERTIFICATE,
      endpointConfiguration: { types: "REGIONAL", ipAddressType: "dualstack" },
      securityPolicy: "TLS_1_2",
    });
    expect(inputsOf("domain-full-base-path")).to.deep.equal({
      restApi: recorder.get("domain-full-api").id,
      stageName: "prod",
      domainName: "api.example.com",
      basePath: "reports/v1",
    });
    const domainState = recorder.get("domain-full-domain").state;
    for (const [suffix, type] of [
      ["dns-a", "A"],
      ["dns-aaaa", "AAAA"],
    ]) {
      expect(inputsOf(`domain-full-${suffix}`)).to.deep.equal({
        zoneId: ZONE,
        name: "api.example.com",
        type,
        aliases: [
          {
            name: domainState["regionalDomainName"],
            zoneId: domainState["regionalZoneId"],
            evaluateTargetHealth: false,
          },
        ],
      });
    }
    expect(await promiseOf(api.url)).to.equal("https://api.example.com/reports/v1/stream");
  });

  it("maps the domain's root and creates no DNS records without a hosted zone", async function () {
    const api = await deploy("domain-root", {
      path: "/",
      domain: { name: "stream.example.org", certificateArn: CERTIFICATE },
    });
    expect(inputsOf("domain-root-base-path")).to.not.have.property("basePath");
    expect(recorder.has("domain-root-dns-a")).to.equal(false);
    expect(recorder.has("domain-root-dns-aaaa")).to.equal(false);
    expect(await promiseOf(api.url)).to.equal("https://stream.example.org/");
  });

  it("refuses host names, base paths, certificates and zones it cannot serve, naming the argument", function () {
    const cases: Array<[Partial<StreamingRestApiArgs>, string, RegExp]> = [
      [
        { domain: { name: "https://api.example.com", certificateArn: CERTIFICATE } },
        "domain.name",
        /without scheme/,
      ],
      [
        { domain: { name: "api.example.com/v1", certificateArn: CERTIFICATE } },
        "domain.name",
        /without scheme, port or path/,
      ],
      [{ domain: { name: "*.example.com", certificateArn: CERTIFICATE } }, "domain.name", /wildcard/],
      [{ domain: { name: "API.example.com", certificateArn: CERTIFICATE } }, "domain.name", /lower case/],
      [{ domain: { name: "localhost", certificateArn: CERTIFICATE } }, "domain.name", /dot-separated labels/],
      [
        { domain: { name: "-api.example.com", certificateArn: CERTIFICATE } },
        "domain.name",
        /not at either end/,
      ],
      [{ domain: { name: "api.example.com.", certificateArn: CERTIFICATE } }, "domain.name", /trailing dot/],
      [
        { domain: { name: "api.example.com", certificateArn: "my-cert" } },
        "domain.certificateArn",
        /ACM certificate ARN/,
      ],
      [
        { domain: { name: "api.example.com", certificateArn: "" } },
        "domain.certificateArn",
        /ARN of an ACM certificate/,
      ],
      [
        { domain: { name: "api.example.com", certificateArn: CERTIFICATE, basePath: "v 1" } },
        "domain.basePath",
        /invalid segment "v 1"/,
      ],
      [
        { domain: { name: "api.example.com", certificateArn: CERTIFICATE, basePath: "a//b" } },
        "domain.basePath",
        /invalid segment ""/,
      ],
      [
        {
          domain: { name: "api.example.com", certificateArn: CERTIFICATE, hostedZoneId: "/hostedzone/Z123" },
        },
        "domain.hostedZoneId",
        /without "\/hostedzone\/"/,
      ],
      [
        { endpointType: "EDGE", domain: { name: "api.example.com", certificateArn: CERTIFICATE } },
        "domain",
        /REGIONAL custom domain, but endpointType is "EDGE"/,
      ],
    ];
    for (const [args, argument, message] of cases) {
      let refusal: unknown;
      try {
        new StreamingRestApi("domain-refused", { handler: EXAMPLE_HANDLER, ...args });
      } catch (error) {
        refusal = error;
      }
      expect(refusal, JSON.stringify(args)).to.be.instanceOf(StreamingRestApiArgumentError);
      expect((refusal as StreamingRestApiArgumentError).argument, JSON.stringify(args)).to.equal(argument);
      expect((refusal as Error).message, JSON.stringify(args)).to.match(message);
    }
    expect(recorder.has("domain-refused")).to.equal(false);
  });

  it("accepts ordinary host names", function () {
    for (const name of ["api.example.com", "a.b.c.example.co.uk", "xn--bcher-kva.example", "1.example.com"]) {
      expect(hostNameProblem(name), name).to.equal(undefined);
    }
  });
});
