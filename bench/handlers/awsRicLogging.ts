// The logging scenario's handler for AWS's aws-lambda-ric: a plain async handler timing its console calls.
import { readLoggingEvent, runConsoleCalls, type LoggingResult } from "./logging";

/** Times the console calls the event asks for (see bench/handlers/logging.ts). */
export async function logging(event: unknown): Promise<LoggingResult> {
  return runConsoleCalls(readLoggingEvent(event));
}
