// Installs the peers the benchmark compares against (AWS's aws-lambda-ric) into the ignored .peers/ folder.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fetchNodeHeaders, findNodeHeaders, type NodeInstall } from "./node24";

/** The AWS Node.js runtime interface client version the benchmark pins. */
export const AWS_LAMBDA_RIC_VERSION = "4.0.2";

/** Tools the package's install scripts run to build curl, aws-lambda-cpp and the Node addon. */
const BUILD_TOOLS = ["cmake", "make", "g++", "python3", "tar", "xz"];

/** An installed aws-lambda-ric. */
export interface AwsRicInstall {
  /** Its bundled entry point (what the managed `nodejs24.x` runtime runs as `/var/runtime/index.mjs`). */
  readonly entry: string;
  readonly version: string;
}

/**
 * Installs aws-lambda-ric into `<repo>/.peers/aws-lambda-ric` unless it is there already, with the same
 * Node 24 on `PATH` and its headers as `npm_config_nodedir`. Takes a minute or two: it compiles curl,
 * aws-lambda-cpp and a native addon.
 */
export function ensureAwsLambdaRic(
  repoRoot: string,
  node: NodeInstall,
  log: (line: string) => void,
): AwsRicInstall {
  const home = path.join(repoRoot, ".peers", "aws-lambda-ric");
  const packageDir = path.join(home, "node_modules", "aws-lambda-ric");
  const installed = readInstalled(packageDir);
  if (installed) return installed;
  // The benchmark and the peer tests may both get here on a fresh machine: one installs, the other waits.
  return withLock(
    `${home}.lock`,
    log,
    () => readInstalled(packageDir) ?? install(repoRoot, home, packageDir, node, log),
  );
}

function install(
  repoRoot: string,
  home: string,
  packageDir: string,
  node: NodeInstall,
  log: (line: string) => void,
): AwsRicInstall {
  const missing = BUILD_TOOLS.filter((tool) => spawnSync("which", [tool]).status !== 0);
  if (missing.length > 0) {
    throw new Error(
      `aws-lambda-ric compiles native code and needs ${missing.join(", ")} on PATH ` +
        `(Debian: apt-get install cmake make g++ python3 xz-utils).`,
    );
  }
  const nodedir = findNodeHeaders(node) ?? fetchNodeHeaders(node, path.join(repoRoot, ".peers"), log);
  log(`bench: installing aws-lambda-ric@${AWS_LAMBDA_RIC_VERSION} into ${home} (native build, ~1-2 min)`);
  mkdirSync(home, { recursive: true });
  // npm >= 11.19 runs a dependency's install scripts only when the root package allows them.
  writeFileSync(
    path.join(home, "package.json"),
    `${JSON.stringify({ private: true, allowScripts: { "aws-lambda-ric": true } }, null, 2)}\n`,
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${path.dirname(node.binary)}${path.delimiter}${process.env.PATH ?? ""}`,
    npm_config_nodedir: nodedir,
  };
  const logFile = path.join(home, "install.log");
  try {
    const output = execFileSync(
      "npm",
      ["install", "--no-audit", "--no-fund", "--save-exact", `aws-lambda-ric@${AWS_LAMBDA_RIC_VERSION}`],
      { cwd: home, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 },
    );
    writeFileSync(logFile, output);
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    writeFileSync(logFile, `${failed.stdout ?? ""}\n${failed.stderr ?? ""}`);
    throw new Error(`installing aws-lambda-ric failed; see ${logFile}`, { cause: error });
  }
  const result = readInstalled(packageDir);
  if (!result) throw new Error(`aws-lambda-ric installed without its native addon; see ${logFile}`);
  return result;
}

/** A lock older than this was left by a process that died mid-install. */
const STALE_LOCK_MS = 15 * 60 * 1000;

/** Runs `action` holding the directory lock `lock`, waiting for another holder to finish first. */
function withLock<T>(lock: string, log: (line: string) => void, action: () => T): T {
  mkdirSync(path.dirname(lock), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!announced) log(`bench: waiting for another process installing peers (${lock})`);
      announced = true;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    }
  }
  try {
    return action();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function readInstalled(packageDir: string): AwsRicInstall | undefined {
  const manifest = path.join(packageDir, "package.json");
  if (!existsSync(manifest) || !existsSync(path.join(packageDir, "rapid-client.node"))) return undefined;
  const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
  if (version !== AWS_LAMBDA_RIC_VERSION) return undefined;
  return { entry: path.join(packageDir, "index.mjs"), version };
}
