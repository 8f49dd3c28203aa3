// Bundles a benchmark module the way our functions are bundled (ESM, minified, node24), for the other clients.
import path from "node:path";
import { build } from "esbuild";

/** esbuild's target for every bench bundle: the Node of the `nodejs24.x` Lambda runtime. */
const TARGET = "node24";

/** Bundles `entry` into `outDir/index.mjs` and returns that file's path. */
export async function bundleModule(entry: string, outDir: string): Promise<string> {
  const outfile = path.join(outDir, "index.mjs");
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: TARGET,
    minify: true,
    logLevel: "warning",
  });
  return outfile;
}
