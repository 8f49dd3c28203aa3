// Our runtime bundled the ordinary way a user would: esbuild on `import { LambdaRuntime } from "streaming-rest-api/runtime"`.
import { mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { LAMBDA_NODE_TARGET, RUNTIME_SPECIFIER, locateRuntimeEntry } from "../../components/bundle";

/** A plain esbuild bundle on disk. */
export interface PlainBundle {
  /** The bundled `index.mjs`, started as `node index.mjs`. */
  readonly entry: string;
  /** Its size in bytes. */
  readonly bytes: number;
}

/**
 * Bundles what a user writes without our `buildBundle`: an entry that imports `LambdaRuntime` from
 * `streaming-rest-api/runtime` and their handler, and runs it. esbuild is called directly (ESM, minified,
 * target node24, platform node, no banner, no source map), with only an `alias` from the package specifier to
 * this repository's `runtime/index.ts`, as an installed package would resolve it (and as
 * `components/bundle/bundle.ts` does). Writes `outDir/index.mjs`.
 * @param handlerModule the module exporting the handler.
 * @param handlerExport the export to run.
 */
export async function bundlePlainly(
  handlerModule: string,
  handlerExport: string,
  outDir: string,
): Promise<PlainBundle> {
  const entry = path.join(outDir, "index.mjs");
  mkdirSync(outDir, { recursive: true });
  await build({
    stdin: {
      contents:
        `import { LambdaRuntime } from ${JSON.stringify(RUNTIME_SPECIFIER)};\n` +
        `import { ${handlerExport} as handler } from ${JSON.stringify(handlerModule)};\n` +
        "await new LambdaRuntime(handler).run();\n",
      resolveDir: outDir,
      sourcefile: "entry.mjs",
      loader: "js",
    },
    outfile: entry,
    bundle: true,
    format: "esm",
    platform: "node",
    target: LAMBDA_NODE_TARGET,
    minify: true,
    alias: { [RUNTIME_SPECIFIER]: locateRuntimeEntry() },
    logLevel: "warning",
  });
  return { entry, bytes: statSync(entry).size };
}
