// The `bootstrap` Lambda runs through AWS_LAMBDA_EXEC_WRAPPER: it picks Node, sizes V8's heap, runs the bundle.

/** The bundle the bootstrap runs, in the task root (`$LAMBDA_TASK_ROOT`, `/var/task` on Lambda). */
export const BOOTSTRAP_ENTRY_FILE = "index.mjs";

/** Where the managed `nodejs` runtimes keep their `node`: the bootstrap's fallback when `$1` is not one. */
export const MANAGED_NODE_PATH = "/var/lang/bin/node";

/**
 * The executable Lambda runs in place of its own Node.js runtime client when `AWS_LAMBDA_EXEC_WRAPPER` points
 * at it. Lambda calls a wrapper with the interpreter's path first, then the managed start-up's own arguments
 * (AWS docs, "Modifying the runtime environment", wrapper scripts). The script replaces itself with that Node
 * running our bundle, and never looks `node` up through `PATH` on Lambda, so a function's own `PATH` setting
 * cannot break start-up:
 * - `$1` when it is an executable file (what Lambda passes: `/var/lang/bin/node`);
 * - else {@link MANAGED_NODE_PATH} when it exists;
 * - else `node` from `PATH` (running the bundle outside Lambda).
 *
 * Source maps are enabled only when the archive has `index.mjs.map` (`bundle.sourcemap`, on by default): Node's
 * source-map support costs about 6 MiB of peak RSS (pages of the node binary it touches) for readable stack
 * traces, and a function without a map should not pay it.
 *
 * The managed start-up's arguments are dropped: that command's other job was sizing V8's heap, which the
 * script does the same way from the function's memory: a tenth for the young generation (two semi-spaces),
 * the rest for the old one.
 */
export const BOOTSTRAP_SCRIPT =
  "#!/bin/sh\n" +
  "# Started through AWS_LAMBDA_EXEC_WRAPPER: run our runtime instead of the managed Node.js client,\n" +
  "# with V8's heap sized from the function's memory as the managed runtime's own start-up does.\n" +
  "# Lambda passes the interpreter's path first: use it rather than PATH, which the function may set.\n" +
  'if [ -n "${1:-}" ] && [ -f "$1" ] && [ -x "$1" ]; then\n' +
  '  node="$1"\n' +
  `elif [ -x ${MANAGED_NODE_PATH} ]; then\n` +
  `  node=${MANAGED_NODE_PATH}\n` +
  "else\n" +
  "  node=node\n" +
  "fi\n" +
  "source_maps=\n" +
  `[ -f "$LAMBDA_TASK_ROOT/${BOOTSTRAP_ENTRY_FILE}.map" ] && source_maps=--enable-source-maps\n` +
  "memory=${AWS_LAMBDA_FUNCTION_MEMORY_SIZE:-128}\n" +
  "young=$((memory / 10))\n" +
  'exec "$node" $source_maps --max-semi-space-size=$((young / 2)) --max-old-space-size=$((memory - young)) \\\n' +
  `  "$LAMBDA_TASK_ROOT/${BOOTSTRAP_ENTRY_FILE}"\n`;
