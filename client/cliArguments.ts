// The `streaming-rest-api` command line: its usage text, and `invoke`'s arguments read into one object.
import { parseArgs } from "node:util";

/** Exit codes of the command: curl's where curl has one for the same case, so scripts can treat them alike. */
export const ExitCode = {
  /** A complete 1xx-3xx response. */
  ok: 0,
  /** Anything else that went wrong before the request was sent (credentials, region, an unreadable file). */
  failed: 1,
  /** A mistake on the command line. */
  usage: 2,
  /** The server could not be reached (curl's 7). */
  couldNotConnect: 7,
  /** The connection was cut mid-stream: the function failed after sending bytes (curl's 18, partial file). */
  cutMidStream: 18,
  /** The response was complete but its status was 400 or more (curl's 22, as with `--fail`). */
  httpError: 22,
} as const;

/** The usage text of `streaming-rest-api --help`. */
export const USAGE = `Usage: streaming-rest-api invoke URL [options]

Calls a streaming REST API route and prints the response body as each chunk arrives (like curl -N).
Requests are signed with AWS SigV4 (service execute-api), with the credentials the AWS SDK finds (the
environment, AWS_PROFILE, SSO, container and instance roles).

Options:
  -X, --request METHOD   the HTTP method (default: GET, or POST with -d)
  -d, --data DATA        the request body, sent as is; @FILE reads a file, @- standard input
  -H, --header "N: v"    a request header; repeat for more
  -i, --include          print the status line and the response headers first
      --region REGION    the region to sign for (default: read from *.execute-api.REGION.amazonaws.com URLs,
                         else AWS_REGION or AWS_DEFAULT_REGION, else us-east-1 for a loopback URL)
      --service NAME     the service to sign for (default: execute-api)
      --no-sign          send the request unsigned (a NONE route, or a local server without LOCAL_LAMBDA_AUTH)
  -h, --help             this text

Exit codes:
  0   a complete response with status 1xx to 3xx
  22  a complete response with status 400 or more (its body is printed; a line on stderr names the status)
  18  the connection was cut mid-stream: the function failed after sending bytes (one line on stderr)
  7   the server could not be reached
  2   a mistake on the command line
  1   anything else (no credentials, no region, an unreadable file)

Examples:
  streaming-rest-api invoke "$(pulumi stack output apiUrl)"
  streaming-rest-api invoke http://127.0.0.1:7000/stream --no-sign
  streaming-rest-api invoke https://api.example.com/stream --region eu-west-1 -X POST -d @prompt.json \\
    -H "Content-Type: application/json"`;

/** What `streaming-rest-api invoke` was asked to do. */
export interface InvokeArguments {
  /** The URL to call. */
  readonly url: URL;
  /** The HTTP method. */
  readonly method: string;
  /** Request headers, in order. */
  readonly headers: readonly (readonly [string, string])[];
  /** The body: text as given, or a file to read (`-` for standard input). */
  readonly data: { readonly text: string } | { readonly file: string } | undefined;
  /** Whether to print the status line and headers. */
  readonly include: boolean;
  /** The region to sign for, when given. */
  readonly region: string | undefined;
  /** The service to sign for. */
  readonly service: string;
  /** Whether to sign. */
  readonly sign: boolean;
}

/** A command line that cannot be run as written; the message says why. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Reads the command line (without `node` and the script).
 * @param argv The arguments, e.g. `["invoke", "https://...", "-i"]`.
 * @returns `"help"` for `--help`, else what `invoke` should do.
 * @throws {UsageError} For an unknown command or option, a missing or malformed URL, a malformed header.
 */
export function parseInvokeArguments(argv: readonly string[]): InvokeArguments | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        request: { type: "string", short: "X" },
        data: { type: "string", short: "d", multiple: true },
        header: { type: "string", short: "H", multiple: true },
        include: { type: "boolean", short: "i", default: false },
        region: { type: "string" },
        service: { type: "string", default: "execute-api" },
        "no-sign": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const [command, url, ...extra] = positionals;
  if (command !== "invoke") {
    throw new UsageError(
      command === undefined ? "a command is required: invoke" : `unknown command "${command}"`,
    );
  }
  if (url === undefined) throw new UsageError("invoke needs the URL to call");
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" (one URL per call)`);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new UsageError(`"${url}" is not an absolute URL (https://... or http://...)`);
  }
  if (target.protocol !== "https:" && target.protocol !== "http:") {
    throw new UsageError(`"${url}" is not an http or https URL`);
  }
  const dataValues = values.data ?? [];
  if (dataValues.length > 1) throw new UsageError("-d/--data can be given once");
  const dataValue = dataValues[0];
  const data =
    dataValue === undefined
      ? undefined
      : dataValue.startsWith("@")
        ? { file: dataValue.slice(1) }
        : { text: dataValue };
  return {
    url: target,
    method: (values.request ?? (data ? "POST" : "GET")).toUpperCase(),
    headers: (values.header ?? []).map(parseHeader),
    data,
    include: values.include,
    region: values.region,
    service: values.service,
    sign: !values["no-sign"],
  };
}

function parseHeader(header: string): [string, string] {
  const colon = header.indexOf(":");
  const name = colon === -1 ? "" : header.slice(0, colon).trim();
  if (name === "" || /\s/.test(name)) {
    throw new UsageError(`-H ${JSON.stringify(header)}: write a header as "Name: value"`);
  }
  return [name, header.slice(colon + 1).trim()];
}
