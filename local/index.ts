// Public API of the local server (`streaming-rest-api/local`): a development tool, never part of a function.
export { startLocalServer, INVOKE_PATH, type LocalServer, type LocalServerOptions } from "./server";
