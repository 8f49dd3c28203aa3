// The managed Node.js runtime's start-up, reproduced: every client is started through it, as Lambda would.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * What the managed `nodejs` runtimes' `/var/runtime/bootstrap` does before running the runtime client (as
 * published copies of it show; the file itself is only inside Lambda's images): size V8's young and old
 * generations from the function's memory, add `--expose-gc` and a larger header limit, and hand the whole
 * command to `AWS_LAMBDA_EXEC_WRAPPER` when the function sets one (which is how our `bootstrap` takes over).
 * The command starts with the interpreter's absolute path (`/var/lang/bin/node` on Lambda; here the `node`
 * found on the bench's PATH), so a wrapper gets it as its first argument, as AWS documents for wrapper scripts.
 * aws-lambda-ric 4 itself confirms the three V8 flags: it strips exactly `--expose-gc`,
 * `--max-semi-space-size` and `--max-old-space-size` from `process.execArgv` before starting workers.
 * `$1` is the runtime client's entry (`/var/runtime/index.mjs` on Lambda).
 */
export const MANAGED_BOOTSTRAP_SCRIPT = `#!/bin/sh
# The managed Node.js runtime's start-up, for the benchmark (see bench/clients/managedBootstrap.ts).
node_path=$(command -v node) || { echo "managed-bootstrap: no node on PATH" >&2; exit 127; }
new_space=$((AWS_LAMBDA_FUNCTION_MEMORY_SIZE / 10))
semi_space=$((new_space / 2))
old_space=$((AWS_LAMBDA_FUNCTION_MEMORY_SIZE - new_space))
exec \${AWS_LAMBDA_EXEC_WRAPPER:+"$AWS_LAMBDA_EXEC_WRAPPER"} "$node_path" --expose-gc --max-http-header-size 81920 \\
  --max-semi-space-size=$semi_space --max-old-space-size=$old_space "$1"
`;

/** The shell every bootstrap runs in. */
export const SHELL = "/bin/sh";

/** Writes the managed bootstrap into `buildDir` and returns its path. */
export function writeManagedBootstrap(buildDir: string): string {
  mkdirSync(buildDir, { recursive: true });
  const file = path.join(buildDir, "managed-bootstrap");
  writeFileSync(file, MANAGED_BOOTSTRAP_SCRIPT);
  chmodSync(file, 0o755);
  return file;
}
