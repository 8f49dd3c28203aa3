#!/usr/bin/env node
// The `streaming-rest-api` command (package.json's bin): `invoke` calls a streaming route and prints it as it arrives.
import { ExitCode, parseInvokeArguments, USAGE, UsageError } from "./cliArguments";
import { runInvoke } from "./invokeCommand";

/**
 * Runs the command line and resolves with the exit code.
 * @param argv The arguments after the command's name.
 */
async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseInvokeArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`streaming-rest-api: ${error.message}\n\n${USAGE}\n`);
    return ExitCode.usage;
  }
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return ExitCode.ok;
  }
  return runInvoke(args, {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`streaming-rest-api: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = ExitCode.failed;
  },
);
