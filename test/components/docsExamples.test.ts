// The Python and YAML examples (docs/examples): every argument, enum value and output they use is in the schema.
import { expect } from "chai";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import type { PackageSpec, Property } from "@pulumi/pulumi/provider/experimental/schema";
import { STREAMING_REST_API_TYPE } from "../../components";
import { buildBundle } from "../../components/bundle";
import { REPO_ROOT, committedSchema, referencedType } from "./componentProvider";

const EXAMPLES = path.join(REPO_ROOT, "docs", "examples");
const PYTHON_PROGRAM = path.join(EXAMPLES, "python", "__main__.py");
const YAML_PROGRAM = path.join(EXAMPLES, "yaml", "Pulumi.yaml");
/** The Python SDK's module, as the examples import it (`import pulumi_streaming_rest_api as streaming`). */
const PYTHON_MODULE_ALIAS = "streaming";

type ObjectProperties = Record<string, Property>;

/** `snake_case` (Python) to `camelCase` (the schema). */
function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

/** An enum member's name as the SDKs spell it, for comparison: case and underscores dropped. */
function enumMemberKey(name: string): string {
  return name.replace(/_/g, "").toUpperCase();
}

function componentOf(spec: PackageSpec) {
  const resource = spec.resources[STREAMING_REST_API_TYPE];
  if (resource === undefined) throw new Error(`the schema has no ${STREAMING_REST_API_TYPE}`);
  return resource;
}

/**
 * Checks a YAML property value against its schema property: objects key by key (recursively), enum values
 * against the enum's values. Interpolations (`${...}`) are left to Pulumi.
 */
function checkYamlValue(spec: PackageSpec, where: string, property: Property, value: unknown): void {
  const type = referencedType(spec, property);
  if (typeof value === "string" && value.startsWith("${")) return;
  if (type?.enum !== undefined) {
    expect(
      type.enum.map((member) => member.value),
      `${where}: ${JSON.stringify(value)}`,
    ).to.include(value);
  } else if (type?.properties !== undefined) {
    expect(value, where).to.be.an("object");
    checkYamlObject(spec, where, type.properties, value as Record<string, unknown>);
  }
}

function checkYamlObject(
  spec: PackageSpec,
  where: string,
  properties: ObjectProperties,
  values: Record<string, unknown>,
): void {
  for (const [name, value] of Object.entries(values)) {
    const property = properties[name];
    expect(property, `${where}.${name} is not in the schema`).to.not.equal(undefined);
    checkYamlValue(spec, `${where}.${name}`, property as Property, value);
  }
}

/** The index of the end of the line `index` is on (a Python comment runs to it). */
function endOfLine(text: string, index: number): number {
  const newline = text.indexOf("\n", index);
  return newline < 0 ? text.length : newline;
}

/** The text between the parentheses of the first call of `callee` in `source`. */
function callArguments(source: string, callee: string, from = 0): { text: string; end: number } | undefined {
  const start = source.indexOf(`${callee}(`, from);
  if (start < 0) return undefined;
  let depth = 0;
  let quote: string | undefined;
  for (let index = start + callee.length; index < source.length; index++) {
    const char = source[index] as string;
    if (quote !== undefined) {
      if (char === "\\") index++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "#") index = endOfLine(source, index);
    else if ("([{".includes(char)) depth++;
    else if (")]}".includes(char) && --depth === 0) {
      return { text: source.slice(start + callee.length + 1, index), end: index };
    }
  }
  throw new Error(`unbalanced call of ${callee}`);
}

/** The keyword arguments (`name=value`) at the top level of a Python call's arguments, in order. */
function keywordArguments(argumentsText: string): Array<{ name: string; value: string }> {
  const found: Array<{ name: string; value: string }> = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  const flush = (end: number) => {
    const argument = argumentsText
      .slice(start, end)
      .replace(/^\s*(#[^\n]*\n\s*)*/, "")
      .trim();
    const match = /^([A-Za-z_]\w*)\s*=(?!=)\s*([\s\S]*)$/.exec(argument);
    if (match !== null) found.push({ name: match[1] as string, value: (match[2] as string).trim() });
  };
  for (let index = 0; index < argumentsText.length; index++) {
    const char = argumentsText[index] as string;
    if (quote !== undefined) {
      if (char === "\\") index++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "#") index = endOfLine(argumentsText, index);
    else if ("([{".includes(char)) depth++;
    else if (")]}".includes(char)) depth--;
    else if (char === "," && depth === 0) {
      flush(index);
      start = index + 1;
    }
  }
  flush(argumentsText.length);
  return found;
}

/** Checks one Python argument value: an `XxxArgs(...)` object type or an `Enum.MEMBER` against the schema. */
function checkPythonValue(spec: PackageSpec, where: string, property: Property, value: string): void {
  const type = referencedType(spec, property);
  const argsClass = new RegExp(`^${PYTHON_MODULE_ALIAS}\\.(\\w+)Args\\(`).exec(value);
  if (argsClass !== null) {
    expect(
      type?.properties,
      `${where}: ${argsClass[1]}Args is not an object type of the schema`,
    ).to.not.equal(undefined);
    const call = callArguments(value, `${PYTHON_MODULE_ALIAS}.${argsClass[1] as string}Args`);
    checkPythonKeywords(spec, where, type?.properties ?? {}, call?.text ?? "");
    return;
  }
  const enumMember = new RegExp(`^${PYTHON_MODULE_ALIAS}\\.(\\w+)\\.(\\w+)$`).exec(value);
  if (enumMember !== null) {
    const [, enumName, member] = enumMember as unknown as [string, string, string];
    const enumType = spec.types[`streaming-rest-api:index:${enumName}`];
    expect(enumType?.enum, `${where}: ${enumName} is not an enum of the schema`).to.not.equal(undefined);
    expect(type, `${where}: takes ${enumName}`).to.equal(enumType);
    expect(
      enumType?.enum?.map((choice) => enumMemberKey(choice.name)),
      `${where}: ${enumName}.${member}`,
    ).to.include(enumMemberKey(member));
  }
}

function checkPythonKeywords(
  spec: PackageSpec,
  where: string,
  properties: ObjectProperties,
  argumentsText: string,
): string[] {
  const names: string[] = [];
  for (const { name, value } of keywordArguments(argumentsText)) {
    const schemaName = camelCase(name);
    const property = properties[schemaName];
    expect(property, `${where}${name} (${schemaName}) is not in the schema`).to.not.equal(undefined);
    checkPythonValue(spec, `${where}${name}`, property as Property, value);
    names.push(schemaName);
  }
  return names;
}

describe("the Python and YAML examples", function () {
  let spec: PackageSpec;
  before(function () {
    spec = committedSchema();
  });

  it("YAML: declares the component by its token, with arguments, enum values and outputs of the schema", function () {
    // js-yaml comes with @pulumi/pulumi, which reads Pulumi's own YAML files with it.
    const yaml = createRequire(require.resolve("@pulumi/pulumi"))("js-yaml") as {
      load(text: string): unknown;
    };
    const program = yaml.load(fs.readFileSync(YAML_PROGRAM, "utf8")) as {
      runtime: string;
      resources: Record<string, { type: string; properties: Record<string, unknown> }>;
      outputs: Record<string, string>;
    };
    expect(program.runtime).to.equal("yaml");
    const component = componentOf(spec);
    const apis = Object.entries(program.resources).filter(
      ([, resource]) => resource.type === STREAMING_REST_API_TYPE,
    );
    expect(apis).to.have.lengthOf(1);
    const [apiName, api] = apis[0] as [string, { properties: Record<string, unknown> }];
    expect(Object.keys(api.properties)).to.include.members(component.requiredInputs ?? []);
    expect(Object.keys(api.properties).length).to.be.greaterThan(8);
    checkYamlObject(spec, apiName, component.inputProperties ?? {}, api.properties);
    const outputs = Object.values(program.outputs).map((output) => /^\$\{(\w+)\.(\w+)\}$/.exec(output));
    expect(outputs.map((match) => match?.[1])).to.deep.equal(outputs.map(() => apiName));
    for (const match of outputs)
      expect(component.properties ?? {}, match?.[0]).to.have.property(match?.[2] ?? "");
    expect(outputs.map((match) => match?.[2])).to.include.members(["url", "functionArn"]);
  });

  it("Python: passes the component arguments, argument classes and enum members of the schema", function () {
    const source = fs.readFileSync(PYTHON_PROGRAM, "utf8");
    expect(source).to.match(new RegExp(`^import pulumi_streaming_rest_api as ${PYTHON_MODULE_ALIAS}$`, "m"));
    const call = callArguments(source, `${PYTHON_MODULE_ALIAS}.StreamingRestApi`);
    expect(call, "a StreamingRestApi(...) call").to.not.equal(undefined);
    const component = componentOf(spec);
    const used = checkPythonKeywords(spec, "", component.inputProperties ?? {}, call?.text ?? "");
    expect(used).to.include.members(component.requiredInputs ?? []);
    expect(used.length).to.be.greaterThan(10);
    const assigned = /^(\w+) = streaming\.StreamingRestApi\(/m.exec(source)?.[1];
    const outputs = [...source.matchAll(new RegExp(`\\b${assigned}\\.(\\w+)`, "g"))].map((match) =>
      camelCase(match[1] as string),
    );
    expect(outputs).to.include.members(["url", "functionArn"]);
    for (const output of outputs) expect(component.properties ?? {}).to.have.property(output);
  });

  it("deploy a handler that bundles with the runtime, without a node_modules of its own", async function () {
    this.timeout(60_000);
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "streaming-rest-api-examples-"));
    try {
      for (const program of [PYTHON_PROGRAM, YAML_PROGRAM]) {
        const handler = path.resolve(path.dirname(program), "../handler.ts");
        expect(fs.readFileSync(program, "utf8")).to.include("../handler.ts");
        const result = await buildBundle({ handler, outDir, cwd: path.dirname(program) });
        expect(result.inputs).to.include(handler);
      }
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  });
});
