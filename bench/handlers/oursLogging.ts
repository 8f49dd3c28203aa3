// The logging scenario's handler for our runtime: a buffered handler timing its console calls.
import { buffered } from "../../runtime";
import { readLoggingEvent, runConsoleCalls, type LoggingResult } from "./logging";

/** Times the console calls the event asks for (see bench/handlers/logging.ts). */
export const logging = buffered(async (event: unknown): Promise<LoggingResult> =>
  runConsoleCalls(readLoggingEvent(event)),
);
