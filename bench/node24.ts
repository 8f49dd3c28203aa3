// Finds (or fetches from the npm registry, as .ci/run does) the Node 24 binary every client runs on, and its headers.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

/** The major version every benchmarked client runs on. */
export const NODE_MAJOR = 24;

/** A Node binary and, when found, the folder holding its C headers (`include/node`), for `npm_config_nodedir`. */
export interface NodeInstall {
  /** Absolute path of the `node` executable. */
  readonly binary: string;
  /** Its `process.version`, e.g. `v24.21.0`. */
  readonly version: string;
}

/** The cache folder `.ci/run` uses for its Node 24 (`$XDG_CACHE_HOME` or `~/.cache`). */
export function node24CacheDir(): string {
  const cache = process.env.XDG_CACHE_HOME || path.join(homedir(), ".cache");
  return path.join(cache, "streaming-rest-api", "node24");
}

/**
 * Node 24 for the clients: this process's binary if it is Node 24, else `node` on `PATH` if it is, else the
 * copy `.ci/run` keeps in the cache, installing the `node@24` npm package there first if it is missing.
 */
export function findOrFetchNode24(log: (line: string) => void): NodeInstall {
  const candidates = [
    process.execPath,
    "node",
    path.join(node24CacheDir(), "node_modules", "node", "bin", "node"),
  ];
  for (const candidate of candidates) {
    const found = probe(candidate);
    if (found) return found;
  }
  const home = node24CacheDir();
  log(`bench: no Node ${NODE_MAJOR} found; installing the node@${NODE_MAJOR} npm package into ${home}`);
  mkdirSync(home, { recursive: true });
  if (!existsSync(path.join(home, "package.json")))
    writeFileSync(path.join(home, "package.json"), '{"private":true}\n');
  execFileSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", `node@${NODE_MAJOR}`], {
    cwd: home,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const fetched = probe(path.join(home, "node_modules", "node", "bin", "node"));
  if (!fetched) throw new Error(`installed node@${NODE_MAJOR} into ${home}, but its binary does not run`);
  return fetched;
}

function probe(command: string): NodeInstall | undefined {
  try {
    const out = execFileSync(command, ["-p", "process.version + ' ' + process.execPath"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      env: { PATH: process.env.PATH ?? "" },
    }).trim();
    const [version, binary] = out.split(" ");
    if (!version || !binary || !version.startsWith(`v${NODE_MAJOR}.`)) return undefined;
    return { version, binary };
  } catch {
    return undefined;
  }
}

/**
 * The folder to pass as `npm_config_nodedir` so node-gyp compiles against `node`'s own headers and downloads
 * nothing: the one holding `include/node/node.h` for exactly that version. The `node` npm package keeps them in
 * its platform package (`node_modules/node-<platform>-<arch>`); an official tarball keeps them next to `bin/`.
 * Returns undefined when neither layout has them.
 */
export function findNodeHeaders(node: NodeInstall): string | undefined {
  const real = realpathSync(node.binary);
  const platformPackage = `node-${process.platform}-${process.arch}`;
  const roots = [
    path.dirname(path.dirname(real)),
    path.join(path.dirname(path.dirname(node.binary)), "node_modules", platformPackage),
    path.join(path.dirname(path.dirname(real)), "node_modules", platformPackage),
  ];
  return roots.find((root) => headersVersion(root) === node.version);
}

/**
 * Headers for `node` from the registry when its install has none: the `node-<platform>-<arch>` package of the
 * same version ships `include/node`. Installed once into `cacheDir`.
 */
export function fetchNodeHeaders(node: NodeInstall, cacheDir: string, log: (line: string) => void): string {
  const platformPackage = `node-${process.platform}-${process.arch}`;
  const version = node.version.slice(1);
  const home = path.join(cacheDir, `${platformPackage}-${version}`);
  const root = path.join(home, "node_modules", platformPackage);
  if (headersVersion(root) === node.version) return root;
  log(`bench: fetching Node ${node.version} headers (${platformPackage}@${version}) from the npm registry`);
  mkdirSync(home, { recursive: true });
  writeFileSync(path.join(home, "package.json"), '{"private":true}\n');
  execFileSync(
    "npm",
    ["install", "--no-save", "--no-audit", "--no-fund", "--ignore-scripts", `${platformPackage}@${version}`],
    { cwd: home, stdio: ["ignore", "ignore", "inherit"] },
  );
  if (headersVersion(root) !== node.version)
    throw new Error(`${platformPackage}@${version} has no include/node`);
  return root;
}

/** The `vX.Y.Z` that `root/include/node/node_version.h` declares, or undefined. */
function headersVersion(root: string): string | undefined {
  const header = path.join(root, "include", "node", "node_version.h");
  if (!existsSync(header)) return undefined;
  const text = readFileSync(header, "utf8");
  const part = (name: string): string | undefined => new RegExp(`#define ${name} (\\d+)`).exec(text)?.[1];
  const [major, minor, patch] = [
    part("NODE_MAJOR_VERSION"),
    part("NODE_MINOR_VERSION"),
    part("NODE_PATCH_VERSION"),
  ];
  return major && minor && patch ? `v${major}.${minor}.${patch}` : undefined;
}
