// Bundles a handler with our runtime into one ESM file and a deterministic Lambda zip. Imports no @pulumi/*.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { build, buildSync, type BuildFailure, type BuildOptions, type Message, type Metafile } from "esbuild";
import { BOOTSTRAP_ENTRY_FILE, BOOTSTRAP_SCRIPT } from "./bootstrap";
import { zipDeterministically } from "./zipArchive";

/** What to bundle and where. Plain data, so scripts (`npm start`, the benchmark) can use it too. */
export interface BundleOptions {
  /** Path of the module that exports the handler; relative paths resolve against {@link cwd}. */
  handler: string;
  /**
   * The handler module's export to run.
   * @default "handler"
   */
  handlerExport?: string;
  /** Directory that receives `index.mjs`, its source map, `bootstrap` and `function.zip`. */
  outDir: string;
  /**
   * Minify the bundle.
   * @default true
   */
  minify?: boolean;
  /**
   * Write `index.mjs.map` next to the bundle (used through `node --enable-source-maps`).
   * @default true
   */
  sourcemap?: boolean;
  /**
   * Modules left out of the bundle (they must then be in the archive or a layer).
   * @default none
   */
  external?: string[];
  /**
   * esbuild `define`: identifiers replaced by JavaScript expressions, e.g. `{ "process.env.STAGE": '"prod"' }`.
   * @default none
   */
  define?: Record<string, string>;
  /**
   * Bundle the local server (`local/`, port 7000) too, so the bundle serves itself when
   * `AWS_LAMBDA_RUNTIME_API` is unset (`node index.mjs`, then curl it). Deployed bundles never hold it: the
   * runtime does not import it.
   * @default false
   */
  localServer?: boolean;
  /**
   * Directory that relative `handler` paths resolve against.
   * @default process.cwd()
   */
  cwd?: string;
  /**
   * What the caller calls `handler` and `handlerExport`, for error messages: a command names its flags
   * (`{ handlerExport: "--export" }`), the component its arguments.
   * @default the option names themselves
   */
  optionNames?: Readonly<Partial<Record<BundleError["option"], string>>>;
  /**
   * The runtime's public entry, which `streaming-rest-api/runtime` resolves to; the bundle's entry point runs
   * `runHandlerModule` from the `handlerModule` module beside it. Tests point it at a fixture.
   * @default this package's `runtime/index.ts`
   */
  runtimeEntry?: string;
}

/** What {@link buildBundle} wrote. */
export interface BundleResult {
  /** The deployment package: `bootstrap`, `index.mjs` and (with `sourcemap`) `index.mjs.map`. */
  zipPath: string;
  /** The bundled `index.mjs` on disk. */
  entryPath: string;
  /** Size of `index.mjs` in bytes (runtime and handler, minified unless `minify: false`). */
  bundleBytes: number;
  /** Size of the zip in bytes. */
  zipBytes: number;
  /** SHA-256 of the zip, hex. Equal for byte-identical rebuilds. */
  zipSha256: string;
  /**
   * Absolute paths of the source files bundled into `index.mjs`, sorted (esbuild's metafile inputs, without
   * the generated entry). What a bundle holds, e.g. that a deployed one holds nothing from `local/`.
   */
  inputs: readonly string[];
}

/** A validated bundle request: paths resolved, handler export checked, esbuild options ready. */
export interface PreparedBundle {
  /** Absolute path of the handler module. */
  readonly handlerPath: string;
  readonly handlerExport: string;
  /** Absolute path of the runtime entry. */
  readonly runtimeEntry: string;
  /** Absolute output directory. */
  readonly outDir: string;
  readonly sourcemap: boolean;
  readonly buildOptions: Readonly<BuildOptions>;
}

/** A bundle request that cannot work, naming the option at fault. */
export class BundleError extends Error {
  constructor(
    /** The option to fix. */
    readonly option: "handler" | "handlerExport",
    message: string,
  ) {
    super(message);
    this.name = "BundleError";
  }
}

/** This package's name; handlers may import its runtime as `streaming-rest-api/runtime`. */
export const PACKAGE_NAME = "streaming-rest-api";
/** The specifier handler authors use for the runtime in consumer projects. */
export const RUNTIME_SPECIFIER = `${PACKAGE_NAME}/runtime`;
/** esbuild target: the Node.js version of the `nodejs24.x` Lambda runtime. */
export const LAMBDA_NODE_TARGET = "node24";
/** File names inside the deployment package and `outDir`. */
export const BundleFile = {
  bundle: BOOTSTRAP_ENTRY_FILE,
  sourceMap: `${BOOTSTRAP_ENTRY_FILE}.map`,
  bootstrap: "bootstrap",
  zip: "function.zip",
} as const;

/**
 * Lets bundled CommonJS dependencies call `require` inside the ESM bundle
 * (https://github.com/evanw/esbuild/issues/1921). Through
 * `process.getBuiltinModule` rather than a static import, which Node resolves through its ESM loader at
 * start-up.
 */
const CREATE_REQUIRE_BANNER =
  'const require = process.getBuiltinModule("node:module").createRequire(import.meta.url);';

/** The module beside the runtime entry that exports `runHandlerModule`. */
const HANDLER_MODULE_RUNNER = "handlerModule";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

const HANDLER_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];

/** Bundles the handler with the runtime and writes the deterministic zip. */
export async function buildBundle(options: BundleOptions): Promise<BundleResult> {
  return writeBundle(prepareBundle(options));
}

/**
 * Resolves and checks everything {@link writeBundle} needs, synchronously: the handler file exists, it
 * exports `handlerExport`, and it bundles. Throws {@link BundleError} otherwise.
 */
export function prepareBundle(options: BundleOptions): PreparedBundle {
  const cwd = options.cwd ?? process.cwd();
  const names = { handler: "handler", handlerExport: "handlerExport", ...options.optionNames };
  const handlerExport = options.handlerExport ?? "handler";
  if (!IDENTIFIER.test(handlerExport)) {
    throw new BundleError(
      "handlerExport",
      `${names.handlerExport} must be a JavaScript identifier or "default" (got ${JSON.stringify(handlerExport)}).`,
    );
  }
  const handlerPath = resolveHandlerFile(options.handler, cwd, names.handler);
  const runtimeEntry = path.resolve(options.runtimeEntry ?? locateRuntimeEntry());
  const sourcemap = options.sourcemap ?? true;
  const shared: BuildOptions = {
    bundle: true,
    format: "esm",
    platform: "node",
    target: LAMBDA_NODE_TARGET,
    external: options.external ?? [],
    alias: { [RUNTIME_SPECIFIER]: runtimeEntry },
    define: options.define ?? {},
    absWorkingDir: cwd,
    logLevel: "silent",
    write: false,
  };
  checkHandlerExport(handlerPath, handlerExport, shared, names);
  const outDir = path.resolve(cwd, options.outDir);
  const buildOptions: BuildOptions = {
    ...shared,
    stdin: {
      contents: entrySource(runtimeEntry, handlerPath, handlerExport, options.localServer ?? false),
      resolveDir: path.dirname(runtimeEntry),
      sourcefile: "lambda-entry.mjs",
      loader: "js",
    },
    outfile: path.join(outDir, BundleFile.bundle),
    minify: options.minify ?? true,
    // Error types reported to Lambda come from class names: keep them through minification.
    keepNames: true,
    sourcemap: sourcemap ? "linked" : false,
    // Stack traces need the mappings, not the sources: leave them out of the deployment package.
    sourcesContent: false,
    banner: { js: CREATE_REQUIRE_BANNER },
    // What the bundle holds, for BundleResult.inputs.
    metafile: true,
  };
  return { handlerPath, handlerExport, runtimeEntry, outDir, sourcemap, buildOptions };
}

/** Runs the prepared esbuild build, writes `index.mjs`, its map and `bootstrap`, then the zip. */
export async function writeBundle(prepared: PreparedBundle): Promise<BundleResult> {
  const result = await build({ ...prepared.buildOptions, write: false });
  const bundlePath = path.join(prepared.outDir, BundleFile.bundle);
  const mapPath = path.join(prepared.outDir, BundleFile.sourceMap);
  const bundle = result.outputFiles.find((file) => file.path === bundlePath);
  if (bundle === undefined) throw new Error(`esbuild wrote no ${bundlePath}`);
  const map = result.outputFiles.find((file) => file.path === mapPath);
  const bootstrap = Buffer.from(BOOTSTRAP_SCRIPT, "utf8");

  fs.mkdirSync(prepared.outDir, { recursive: true });
  writeFileAtomically(bundlePath, bundle.contents, 0o644);
  if (map === undefined) fs.rmSync(mapPath, { force: true });
  else writeFileAtomically(mapPath, map.contents, 0o644);
  writeFileAtomically(path.join(prepared.outDir, BundleFile.bootstrap), bootstrap, 0o755);

  const zip = await zipDeterministically([
    { name: BundleFile.bootstrap, contents: bootstrap, mode: 0o755 },
    { name: BundleFile.bundle, contents: Buffer.from(bundle.contents), mode: 0o644 },
    ...(map === undefined
      ? []
      : [{ name: BundleFile.sourceMap, contents: Buffer.from(map.contents), mode: 0o644 }]),
  ]);
  const zipPath = path.join(prepared.outDir, BundleFile.zip);
  writeFileAtomically(zipPath, zip, 0o644);
  return {
    zipPath,
    entryPath: bundlePath,
    bundleBytes: bundle.contents.byteLength,
    zipBytes: zip.byteLength,
    zipSha256: createHash("sha256").update(zip).digest("hex"),
    inputs: bundledFiles(result.metafile, prepared.buildOptions),
  };
}

/** The source files in esbuild's metafile, as absolute paths, without the generated (stdin) entry. */
function bundledFiles(metafile: Metafile | undefined, options: Readonly<BuildOptions>): string[] {
  if (metafile === undefined) throw new Error("esbuild returned no metafile");
  const workingDirectory = options.absWorkingDir ?? process.cwd();
  const stdin = options.stdin;
  const generatedEntry =
    stdin === undefined
      ? undefined
      : path.resolve(stdin.resolveDir ?? workingDirectory, stdin.sourcefile ?? "");
  return Object.keys(metafile.inputs)
    .map((input) => path.resolve(workingDirectory, input))
    .filter((input) => input !== generatedEntry)
    .sort();
}

/**
 * Finds the handler module: `handler` itself, or with a JavaScript/TypeScript extension added, or a
 * directory's `index` module. `optionName` is what the caller calls the option, for the error.
 */
export function resolveHandlerFile(handler: string, cwd: string, optionName = "handler"): string {
  if (handler.trim() === "") {
    throw new BundleError(
      "handler",
      `${optionName} must be the path of the handler module, e.g. "handler/index.ts".`,
    );
  }
  const given = path.resolve(cwd, handler);
  const candidates = [
    given,
    ...HANDLER_EXTENSIONS.map((extension) => given + extension),
    ...HANDLER_EXTENSIONS.map((extension) => path.join(given, `index${extension}`)),
  ];
  const found = candidates.find(isFile);
  if (found === undefined) {
    throw new BundleError(
      "handler",
      `${optionName}: no module at ${given} (resolved from ${JSON.stringify(handler)} against ${cwd}). ` +
        'Pass the path of the file that exports the handler, e.g. "handler/index.ts".',
    );
  }
  return found;
}

/**
 * This package's `runtime/index.ts`. Found from this file's location by walking up to the package root,
 * so it works from the repository (`components/`) and from the published package (`dist/components/`).
 */
export function locateRuntimeEntry(fromDir: string = __dirname): string {
  return path.join(findPackageRoot(fromDir), "runtime", "index.ts");
}

/** The nearest directory at or above `fromDir` whose package.json is named `streaming-rest-api`. */
export function findPackageRoot(fromDir: string): string {
  for (let dir = path.resolve(fromDir); ; dir = path.dirname(dir)) {
    if (packageName(path.join(dir, "package.json")) === PACKAGE_NAME) return dir;
    if (path.dirname(dir) === dir) {
      throw new Error(
        `Cannot find the ${PACKAGE_NAME} package root above ${fromDir}: is the package installed whole?`,
      );
    }
  }
}

/** This package's `local/index.ts`: the local server, bundled only with `localServer`. */
export function locateLocalServerEntry(fromDir: string = __dirname): string {
  return path.join(findPackageRoot(fromDir), "local", "index.ts");
}

/**
 * The esbuild entry: starts the runtime, which imports the handler lazily to report load errors. With
 * `localServer`, it also hands the runtime the local server to start when there is no Runtime API.
 */
function entrySource(
  runtimeEntry: string,
  handlerPath: string,
  handlerExport: string,
  localServer: boolean,
): string {
  const runner = path.join(path.dirname(runtimeEntry), HANDLER_MODULE_RUNNER);
  const load = `() => import(${JSON.stringify(handlerPath)})`;
  if (!localServer) {
    return (
      `import { runHandlerModule } from ${JSON.stringify(runner)};\n` +
      `runHandlerModule(${load}, ${JSON.stringify(handlerExport)});\n`
    );
  }
  return (
    `import { runHandlerModule } from ${JSON.stringify(runner)};\n` +
    `import { startLocalServer } from ${JSON.stringify(locateLocalServerEntry())};\n` +
    `runHandlerModule(${load}, ${JSON.stringify(handlerExport)}, { startLocalServer });\n`
  );
}

/**
 * The real entry imports the handler dynamically, which hides a missing export from esbuild. This cheap
 * in-memory build imports it statically, so a missing export fails here with esbuild's own message.
 */
function checkHandlerExport(
  handlerPath: string,
  handlerExport: string,
  shared: BuildOptions,
  names: Readonly<Record<BundleError["option"], string>>,
): void {
  try {
    buildSync({
      ...shared,
      stdin: {
        contents: `export { ${handlerExport} as checkedHandler } from ${JSON.stringify(handlerPath)};\n`,
        resolveDir: path.dirname(handlerPath),
        loader: "js",
      },
    });
  } catch (error) {
    const messages = (error as Partial<BuildFailure>).errors;
    if (messages === undefined) throw error;
    const relative = path.relative(shared.absWorkingDir ?? process.cwd(), handlerPath);
    // Errors located in the one-line check itself are about the export; the rest come from the handler's code.
    if (messages.some((message) => message.location?.file === "<stdin>")) {
      throw new BundleError(
        "handlerExport",
        `${names.handlerExport}: ${relative} has no export named ${JSON.stringify(handlerExport)} ` +
          `(esbuild: ${describeMessages(messages)}). Export the handler under that name, or set ` +
          `${names.handlerExport} to the name it is exported as.`,
      );
    }
    throw new BundleError(
      "handler",
      `${names.handler}: esbuild cannot bundle ${relative}: ${describeMessages(messages)}`,
    );
  }
}

function describeMessages(messages: readonly Message[]): string {
  return messages
    .map((message) => {
      const location = message.location;
      return location === null || location.file === "<stdin>"
        ? message.text
        : `${location.file}:${location.line}:${location.column}: ${message.text}`;
    })
    .join("; ");
}

function isFile(candidate: string): boolean {
  try {
    return fs.statSync(candidate).isFile();
  } catch {
    return false;
  }
}

function packageName(packageJsonPath: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(packageJsonPath, "utf8"));
    return typeof parsed === "object" &&
      parsed !== null &&
      "name" in parsed &&
      typeof parsed.name === "string"
      ? parsed.name
      : undefined;
  } catch {
    return undefined;
  }
}

/** Writes through a temporary file and a rename, so a concurrent reader never sees half a file. */
function writeFileAtomically(target: string, contents: Uint8Array, mode: number): void {
  const temporary = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, contents, { mode });
  fs.chmodSync(temporary, mode);
  fs.renameSync(temporary, target);
}
