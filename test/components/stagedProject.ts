// A built copy of the project in a scratch directory, as a clone looks after `npm ci && npm run build`: built
// once per test run for the tests that pack it (npm pack) or run it as Pulumi's plugin host does.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const REPO_MODULES = path.join(REPO_ROOT, "node_modules");

/**
 * What the copy holds: the manifests, the TypeScript configurations and sources the build and Pulumi's schema
 * inference read (`index.ts` is where the inference starts when package.json's entries name built files), the
 * plugin manifest, and what npm packs from the root whatever `files` says. The repository's own dist/ is left
 * alone, so concurrent runs never race on it.
 */
const STAGED_ENTRIES = [
  "package.json",
  "PulumiPlugin.yaml",
  "tsconfig.json",
  "tsconfig.build.json",
  "index.ts",
  "README.md",
  "LICENSE",
  "components",
  "runtime",
  "local",
  "testing",
  "client",
  "handler",
];

let staged: string | undefined;

/**
 * The directory of the built copy: the entries above, `node_modules` linked to the repository's, and `dist/`
 * compiled by the project's build configuration (`npm run build`). Removed when the process exits.
 */
export function stagedProject(): string {
  if (staged !== undefined) return staged;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "streaming-rest-api-staged-"));
  process.once("exit", () => fs.rmSync(scratch, { recursive: true, force: true }));
  const directory = path.join(scratch, "streaming-rest-api");
  fs.mkdirSync(directory);
  for (const entry of STAGED_ENTRIES) {
    const source = path.join(REPO_ROOT, entry);
    if (fs.existsSync(source)) fs.cpSync(source, path.join(directory, entry), { recursive: true });
  }
  fs.symlinkSync(REPO_MODULES, path.join(directory, "node_modules"), "dir");
  const build = spawnSync(
    process.execPath,
    [path.join(REPO_MODULES, "typescript", "bin", "tsc"), "-p", path.join(directory, "tsconfig.build.json")],
    { encoding: "utf8" },
  );
  if (build.status !== 0) {
    throw new Error(`npm run build failed in the staged copy:\n${build.stdout}${build.stderr}`);
  }
  staged = directory;
  return directory;
}
