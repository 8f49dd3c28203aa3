// Runs the real curl binary (`-N`, unbuffered) and records each piece of its output as it arrives.
import { spawn } from "node:child_process";

/** What curl printed, parsed: the final status and headers (1xx interim answers skipped), and the body. */
export interface CurlResult {
  /** curl's exit code (0: the transfer completed). */
  exitCode: number | null;
  /** What curl said on stderr. */
  stderr: string;
  status: number;
  /** Header lines in order, names lower case: a repeated header is several entries. */
  headers: [string, string][];
  body: Buffer;
}

/** A curl run in progress. */
export interface CurlRun {
  /** Resolves once curl exits. */
  readonly done: Promise<CurlResult>;
  /**
   * Resolves once the response body received so far (after the headers) contains `text`; rejects if curl
   * exits first.
   */
  bodyIncludes(text: string): Promise<void>;
}

/**
 * Starts `curl -sS -N -i URL` (`-N`: print each piece of the body as it arrives) with extra arguments.
 * @param url The URL.
 * @param args More curl arguments (method, data, headers).
 */
export function startCurl(url: string, args: string[] = []): CurlRun {
  const child = spawn("curl", ["-sS", "-N", "-i", "-H", "Expect:", ...args, url]);
  const pieces: Buffer[] = [];
  let stderr = "";
  const watchers = new Set<() => void>();
  let exited = false;
  const changed = (): void => {
    for (const watcher of [...watchers]) watcher();
  };
  child.stdout.on("data", (data: Buffer) => {
    pieces.push(data);
    changed();
  });
  child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
  const done = new Promise<CurlResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (exitCode) => {
      exited = true;
      changed();
      resolve({ exitCode, stderr, ...parseOutput(Buffer.concat(pieces)) });
    });
  });
  return {
    done,
    bodyIncludes: (text) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (parseOutput(Buffer.concat(pieces)).body.includes(text)) {
            watchers.delete(check);
            resolve();
          } else if (exited) {
            watchers.delete(check);
            reject(new Error(`curl exited before the body held ${JSON.stringify(text)}; stderr: ${stderr}`));
          }
        };
        watchers.add(check);
        check();
      }),
  };
}

/** Splits `-i` output into the last head (skipping 1xx interim answers) and the body after it. */
function parseOutput(output: Buffer): Omit<CurlResult, "exitCode" | "stderr"> {
  let rest = output;
  for (;;) {
    const end = rest.indexOf("\r\n\r\n");
    if (end === -1) return { status: 0, headers: [], body: Buffer.alloc(0) };
    const [statusLine = "", ...lines] = rest.subarray(0, end).toString("latin1").split("\r\n");
    const status = Number(statusLine.split(" ")[1]);
    rest = rest.subarray(end + 4);
    if (status >= 200) {
      const headers = lines.map((line): [string, string] => {
        const colon = line.indexOf(":");
        return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
      });
      return { status, headers, body: rest };
    }
  }
}

/** Every value of a header, in order. */
export function headerValues(result: CurlResult, name: string): string[] {
  return result.headers.filter(([key]) => key === name.toLowerCase()).map(([, value]) => value);
}
