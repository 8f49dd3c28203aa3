// The schema Pulumi infers for the component, served to every language: snapshot, contracts, descriptions.
//
// After a deliberate change of the arguments or outputs, refresh the committed snapshot with
//   UPDATE_SCHEMA_SNAPSHOT=1 npx mocha --no-config -r ts-node/register/transpile-only --extension ts \
//     --timeout 120000 test/components/schema.test.ts
import { expect } from "chai";
import * as fs from "node:fs";
import type { PackageSpec, Property } from "@pulumi/pulumi/provider/experimental/schema";
import { format, resolveConfig } from "prettier";
import { DEFAULTS, STREAMING_REST_API_TYPE } from "../../components";
import * as enums from "../../components/enums";
import {
  SCHEMA_SNAPSHOT,
  committedSchema,
  inferredSchema,
  packageManifest,
  referencedType,
} from "./componentProvider";

/** Writes the snapshot formatted as the repository's Prettier settings want it. */
async function writeSnapshot(spec: PackageSpec): Promise<void> {
  const options = (await resolveConfig(SCHEMA_SNAPSHOT)) ?? {};
  fs.writeFileSync(SCHEMA_SNAPSHOT, await format(JSON.stringify(spec), { ...options, parser: "json" }));
}

/** Every input property of the component and of the object types it uses, by dotted name. */
function everyInput(spec: PackageSpec): Array<[string, Property]> {
  const resource = spec.resources[STREAMING_REST_API_TYPE];
  if (resource === undefined) throw new Error(`no ${STREAMING_REST_API_TYPE} in the schema`);
  const found: Array<[string, Property]> = [];
  const visit = (prefix: string, properties: Record<string, Property>): void => {
    for (const [name, property] of Object.entries(properties)) {
      found.push([`${prefix}${name}`, property]);
      const type = referencedType(spec, property);
      if (type?.properties !== undefined) visit(`${prefix}${name}.`, type.properties);
    }
  };
  visit("", resource.inputProperties ?? {});
  return found;
}

/** A property's description with its line breaks as spaces (as Markdown renders them). */
function descriptionOf(property: Property | undefined): string {
  return ((property as { description?: string } | undefined)?.description ?? "").replace(/\s+/g, " ");
}

/** How a default value reads in a description: strings quoted, the rest as written. */
function defaultText(value: string | number | boolean): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

describe("the component's Pulumi schema", function () {
  // The inference type-checks the repository's TypeScript program: seconds, even on an idle machine.
  this.timeout(180_000);
  let spec: PackageSpec;

  before(async function () {
    spec = await inferredSchema();
    if (process.env["UPDATE_SCHEMA_SNAPSHOT"] === "1") await writeSnapshot(spec);
  });

  it("is the committed snapshot (components/schema.json)", function () {
    expect(
      spec,
      "the inferred schema changed: review the difference, then refresh components/schema.json " +
        "(UPDATE_SCHEMA_SNAPSHOT=1, see the top of this file)",
    ).to.deep.equal(committedSchema());
  });

  it("names the package after package.json, at its version", function () {
    const manifest = packageManifest();
    expect(spec).to.include({
      name: "streaming-rest-api",
      version: manifest.version,
      description: manifest.description,
    });
  });

  it("serves the component under its token, requiring only handler, with url and functionArn outputs", function () {
    expect(Object.keys(spec.resources)).to.deep.equal([STREAMING_REST_API_TYPE]);
    expect(STREAMING_REST_API_TYPE).to.equal("streaming-rest-api:index:StreamingRestApi");
    const resource = spec.resources[STREAMING_REST_API_TYPE];
    expect(resource?.isComponent).to.equal(true);
    expect(resource?.requiredInputs).to.deep.equal(["handler"]);
    expect(resource?.inputProperties?.["handler"]).to.include({ type: "string" });
    expect(resource?.properties?.["url"]).to.include({ type: "string" });
    expect(resource?.properties?.["functionArn"]).to.include({ type: "string" });
    expect(resource?.required).to.include.members(["url", "functionArn"]);
  });

  it("keeps TypeScript-only arguments (transforms) out of it", function () {
    const inputs = spec.resources[STREAMING_REST_API_TYPE]?.inputProperties ?? {};
    expect(inputs).to.not.have.property("transform");
    expect(Object.keys(inputs)).to.include.members([
      "logFormat",
      "applicationLogLevel",
      "systemLogLevel",
      "binaryMediaTypes",
      "cors",
      "cognito",
      "authorizer",
      "domain",
      "capacityProvider",
    ]);
  });

  it("describes every argument, stating the default of every optional one", function () {
    const inputs = everyInput(spec);
    expect(inputs.length).to.be.greaterThan(30);
    for (const [name, property] of inputs) {
      const description = descriptionOf(property);
      expect(description, name).to.not.equal("");
      expect(description, `${name}: a {@link} in its TSDoc`).to.not.include("[object Object]");
      if ((property as { optional?: boolean }).optional === true) {
        expect(description, `${name} states its default`).to.match(/Default: \S/);
      }
    }
  });

  it("states the defaults the component applies (DEFAULTS)", function () {
    const inputs = new Map(everyInput(spec));
    const checked: string[] = [];
    for (const [name, value] of Object.entries(DEFAULTS)) {
      const property = inputs.get(name);
      // accessLogging's schema form is an object (given means on): TypeScript's `false` reads "unset" there.
      if (property === undefined || typeof value === "object" || name === "accessLogging") continue;
      expect(descriptionOf(property), name).to.include(`Default: ${defaultText(value)}`);
      checked.push(name);
    }
    for (const [name, value] of Object.entries(DEFAULTS.throttle)) {
      expect(descriptionOf(inputs.get(`throttle.${name}`))).to.include(`Default: ${value}`);
    }
    // Defaults of nested arguments, kept in DEFAULTS under a prefixed name.
    const nested: Array<[string, string]> = [
      ["cors.maxAge", `Default: ${DEFAULTS.corsMaxAge}`],
      [
        "cors.allowHeaders",
        `Default: ${DEFAULTS.corsAllowHeaders.slice(0, -1).join(", ")} and ${DEFAULTS.corsAllowHeaders.at(-1)}`,
      ],
      ["authorizer.type", `Default: ${defaultText(DEFAULTS.authorizerType)}`],
      ["authorizer.resultTtlInSeconds", `Default: ${DEFAULTS.authorizerResultTtlInSeconds}`],
      ["authorizer.identitySources", `(\`${DEFAULTS.authorizerIdentitySources[0]}\`)`],
    ];
    for (const [name, text] of nested) expect(descriptionOf(inputs.get(name)), name).to.include(text);
    expect(checked).to.include.members(["memorySize", "timeout", "architecture", "logFormat", "method"]);
  });

  it("turns each choice into an enum with the TypeScript values", function () {
    for (const [name, choices] of Object.entries(enums)) {
      if (typeof choices !== "object") continue;
      const type = spec.types[`streaming-rest-api:index:${name}`];
      expect(type?.type, name).to.equal("string");
      expect(
        type?.enum?.map((member) => [member.name, member.value]),
        name,
      ).to.deep.equal(Object.entries(choices));
    }
  });
});
