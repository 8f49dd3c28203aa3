// The component provider Pulumi serves this repository with, built in process, and its schema (inferred once).
import * as fs from "node:fs";
import * as path from "node:path";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import type { PackageSpec, Property } from "@pulumi/pulumi/provider/experimental/schema";
import { StreamingRestApi } from "../../components";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** The committed schema: what `pulumi package add` on the repository serves (a test keeps it current). */
export const SCHEMA_SNAPSHOT = path.join(REPO_ROOT, "components", "schema.json");

/** The repository's package.json. */
export function packageManifest(): { name: string; version: string; description: string } {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
    name: string;
    version: string;
    description: string;
  };
}

/**
 * The provider name Pulumi's plugin host derives from package.json's `name` (cmd/run-plugin): the scope
 * dropped, characters outside `[-a-zA-Z0-9_]` replaced by `-`.
 */
export function providerNameOf(packageName: string): string {
  const unscoped = /^(@[^/]+\/)?(.+)$/.exec(packageName)?.[2] ?? packageName;
  return unscoped.replace(/[^-a-zA-Z0-9_]/g, "-");
}

let provider: ComponentProvider | undefined;
let schema: Promise<PackageSpec> | undefined;

/**
 * The provider `pulumi package add` starts on the repository (Pulumi's plugin host builds the same one from
 * package.json and the exported component), shared by the tests: the schema inference it runs takes seconds.
 */
export function repositoryProvider(): ComponentProvider {
  provider ??= new ComponentProvider({
    components: [StreamingRestApi],
    name: providerNameOf(packageManifest().name),
    dirname: REPO_ROOT,
  });
  return provider;
}

/** The schema the provider infers from the TypeScript sources, parsed. */
export function inferredSchema(): Promise<PackageSpec> {
  schema ??= repositoryProvider()
    .getSchema()
    .then((text) => JSON.parse(text) as PackageSpec);
  return schema;
}

/** The committed schema snapshot, parsed. */
export function committedSchema(): PackageSpec {
  return JSON.parse(fs.readFileSync(SCHEMA_SNAPSHOT, "utf8")) as PackageSpec;
}

/** The object type or enum a property refers to, from the same schema; `undefined` for other properties. */
export function referencedType(
  spec: PackageSpec,
  property: Property,
): PackageSpec["types"][string] | undefined {
  const ref = "$ref" in property ? property.$ref : undefined;
  return ref?.startsWith("#/types/") === true ? spec.types[ref.slice("#/types/".length)] : undefined;
}
