// `streaming-rest-api invoke`: sends the request (signed unless told not to) and prints each chunk as it arrives.
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { isIP } from "node:net";
import { ExitCode, type InvokeArguments } from "./cliArguments";
import { signedFetch } from "./signedFetch";
import { MissingRegionError, regionFromUrl } from "./signingScope";

/** Where the command reads and writes, passed in so tests need no process. */
export interface CommandIo {
  /** Where the body (and with `-i` the head) goes. */
  readonly stdout: NodeJS.WritableStream;
  /** Where the one-line messages go. */
  readonly stderr: NodeJS.WritableStream;
  /** Read for `-d @-`. */
  readonly stdin: NodeJS.ReadableStream;
  /** Read for `AWS_REGION` and `AWS_DEFAULT_REGION`. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Runs `invoke`: sends the request and copies the response body to `stdout` chunk by chunk, as it arrives.
 * @param args The parsed command line.
 * @param io Where to read and write.
 * @returns The exit code (see {@link ExitCode}).
 */
export async function runInvoke(args: InvokeArguments, io: CommandIo): Promise<number> {
  let response: Response;
  try {
    response = await send(args, io);
  } catch (error) {
    return fail(io, sendFailureCode(error), describe(error));
  }
  if (args.include) await write(io.stdout, Buffer.from(head(response), "latin1"));
  let bytes = 0;
  try {
    if (response.body) {
      const reader = response.body.getReader();
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        bytes += next.value.length;
        await write(io.stdout, next.value);
      }
    }
  } catch (error) {
    return fail(
      io,
      ExitCode.cutMidStream,
      `the connection was cut mid-stream after ${bytes} bytes of the body: the response is incomplete (the ` +
        `function failed after sending bytes, or the network failed): ${describe(error)}`,
    );
  }
  if (response.status >= 400) {
    return fail(io, ExitCode.httpError, `HTTP ${response.status} ${response.statusText}`.trim());
  }
  return ExitCode.ok;
}

async function send(args: InvokeArguments, io: CommandIo): Promise<Response> {
  const headers = new Headers();
  for (const [name, value] of args.headers) headers.append(name, value);
  const body = await requestBody(args, io);
  const init: RequestInit = { method: args.method, headers, body, redirect: "manual" };
  if (!args.sign) return fetch(args.url, init);
  const region = args.region ?? regionFromUrl(args.url) ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  const fallback = isLoopback(args.url.hostname) ? "us-east-1" : undefined;
  if (region === undefined && fallback === undefined) throw new MissingRegionError(args.url.host, "--region");
  return signedFetch(args.url, init, { region: region ?? fallback, service: args.service });
}

async function requestBody(args: InvokeArguments, io: CommandIo): Promise<Uint8Array | undefined> {
  const data = args.data;
  if (data === undefined) return undefined;
  if ("text" in data) return Buffer.from(data.text, "utf8");
  if (data.file === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(data.file);
  } catch (error) {
    throw new Error(`-d @${data.file}: ${(error as Error).message}`, { cause: error });
  }
}

/** Whether a host name is this machine (a local server): signing can then default the region. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host === "::1") return true;
  return isIP(host) === 4 && host.startsWith("127.");
}

/** The status line and headers, as `curl -i` prints them. */
function head(response: Response): string {
  const lines = [`HTTP/1.1 ${response.status} ${response.statusText}`.trimEnd()];
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") lines.push(`${name}: ${value}`);
  });
  for (const cookie of response.headers.getSetCookie()) lines.push(`set-cookie: ${cookie}`);
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/** Writes with backpressure: waits for `drain` when the stream's buffer is full. */
async function write(stream: NodeJS.WritableStream, chunk: Uint8Array): Promise<void> {
  if (!stream.write(chunk)) await once(stream, "drain");
}

/** Which exit code a failure before the response calls for. */
function sendFailureCode(error: unknown): number {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = typeof cause?.code === "string" ? cause.code : "";
  const unreachable = ["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNRESET"];
  return error instanceof TypeError && unreachable.includes(code)
    ? ExitCode.couldNotConnect
    : ExitCode.failed;
}

/** An error in one line: its message, and its cause's. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error ? (error.cause as { message?: unknown } | undefined) : undefined;
  const detail = typeof cause?.message === "string" && cause.message !== message ? ` (${cause.message})` : "";
  return `${message}${detail}`.replace(/\s*\n\s*/g, " ");
}

function fail(io: CommandIo, code: number, message: string): number {
  io.stderr.write(`streaming-rest-api: ${message}\n`);
  return code;
}
