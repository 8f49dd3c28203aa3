// Test harness for the local server: plays the runtime's side with plain node:http, and records what clients see.
import {
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  Agent,
  type ClientRequest,
} from "node:http";
import { LambdaRuntime, type AnyLambdaHandler } from "../../runtime";
import type { InvocationEvent, InvocationState } from "../../local";
import { startLocalServer, type LocalServer, type LocalServerOptions } from "../../local/server";

/** A local server on a free port, with its log and its invocations' state changes captured. */
export interface TestServer {
  server: LocalServer;
  logs: string[];
  /** Every invocation state change, in order. */
  events: InvocationEvent[];
  /** How many `GET /next` polls have started waiting. */
  polls: number;
  host: string;
  port: number;
  /** Resolves with the first log line (already written or still to come) that matches `pattern`. */
  logged(pattern: RegExp): Promise<string>;
  /** Resolves once `condition` holds, checked now and after every log line and invocation event. */
  until(condition: () => boolean): Promise<void>;
  /** Request ids of the invocations that have reached `state`, in the order they did. */
  inState(state: InvocationState): string[];
}

/**
 * Starts a local server with its log captured: on a free loopback port, unless `fromEnvironment` leaves host
 * and port to the `LOCAL_LAMBDA_*` variables.
 */
export async function startTestServer(
  options: LocalServerOptions = {},
  { fromEnvironment = false } = {},
): Promise<TestServer> {
  const logs: string[] = [];
  const events: InvocationEvent[] = [];
  const watchers = new Set<() => void>();
  const changed = (): void => {
    for (const watcher of [...watchers]) watcher();
  };
  const until = (condition: () => boolean): Promise<void> => {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const watcher = (): void => {
        if (!condition()) return;
        watchers.delete(watcher);
        resolve();
      };
      watchers.add(watcher);
    });
  };
  const test: TestServer = {
    server: undefined as unknown as LocalServer,
    logs,
    events,
    polls: 0,
    host: "",
    port: 0,
    until,
    logged: async (pattern) => {
      await until(() => logs.some((line) => pattern.test(line)));
      return logs.find((line) => pattern.test(line)) as string;
    },
    inState: (state) => events.filter((event) => event.state === state).map((event) => event.requestId),
  };
  const server = await startLocalServer({
    ...(fromEnvironment ? {} : { port: 0, host: "127.0.0.1" }),
    log: (line) => {
      logs.push(line);
      changed();
    },
    onInvocation: (event) => {
      events.push(event);
      changed();
    },
    onPoll: () => {
      test.polls++;
      changed();
    },
    ...options,
  });
  const [host, port] = server.runtimeApi.split(":");
  test.server = server;
  test.host = host as string;
  test.port = Number(port);
  return test;
}

/**
 * Our runtime serving `handler` in-process against the test server; fatal errors are ignored (the tests
 * close the server under it). Stop it with `runtime.stop()`, close the server, then await `running`.
 */
export function runRuntimeOn(
  t: TestServer,
  handler: AnyLambdaHandler,
  log: (line: string) => void = () => undefined,
): { runtime: LambdaRuntime; running: Promise<void> } {
  const runtime = new LambdaRuntime(handler, {
    runtimeApi: t.server.runtimeApi,
    log: { warn: log, error: log },
    onFatalError: () => undefined,
  });
  return { runtime, running: runtime.run() };
}

/** What a client received, chunk by chunk. */
export interface ClientResult {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  /** Each chunk as it arrived, with the time (ms since the request started). */
  chunks: { at: number; data: Buffer }[];
  /** When the headers arrived, ms since the request started. */
  headersAt: number;
  /** Set when the response did not end cleanly (connection cut mid-body). */
  error: Error | undefined;
  /** Whether the whole message (including the final chunk) arrived. */
  complete: boolean;
}

/** Sends a client request and collects the whole response, or the error that ended it. */
export function clientRequest(
  t: TestServer,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string | string[]>;
    body?: Buffer | string;
    /** Called with each body chunk as it arrives. */
    onData?: (data: Buffer) => void;
  },
): Promise<ClientResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: t.host,
        port: t.port,
        method: options.method ?? "GET",
        path: options.path,
        headers: options.headers,
        agent: false,
      },
      (res) => collect(res, started, options.onData).then(resolve, reject),
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

function collect(
  res: IncomingMessage,
  started: number,
  onData: (data: Buffer) => void = () => undefined,
): Promise<ClientResult> {
  const result: ClientResult = {
    status: res.statusCode ?? 0,
    headers: res.headers,
    rawHeaders: res.rawHeaders,
    body: Buffer.alloc(0),
    chunks: [],
    headersAt: performance.now() - started,
    error: undefined,
    complete: false,
  };
  return new Promise((resolve) => {
    res.on("data", (data: Buffer) => {
      result.chunks.push({ at: performance.now() - started, data });
      onData(data);
    });
    const done = (error?: Error): void => {
      result.body = Buffer.concat(result.chunks.map((c) => c.data));
      result.error ??= error;
      result.complete = res.complete;
      resolve(result);
    };
    res.on("end", () => done());
    res.on("error", (error) => done(error));
    res.on("close", () => done(res.complete ? undefined : new Error("connection closed before the end")));
  });
}

/** The runtime's side of the Runtime API, with one keep-alive agent like a real runtime client. */
export class FakeRuntime {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  readonly #t: TestServer;

  constructor(t: TestServer) {
    this.#t = t;
  }

  /** `GET /next`: resolves with the invocation once one is handed out. */
  next(): Promise<{ status: number; requestId: string; headers: IncomingHttpHeaders; event: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.#t.host,
          port: this.#t.port,
          path: "/2018-06-01/runtime/invocation/next",
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              requestId: String(res.headers["lambda-runtime-aws-request-id"]),
              headers: res.headers,
              event: Buffer.concat(chunks),
            }),
          );
        },
      );
      req.on("error", reject);
      req.end();
    });
  }

  /** A POST to the Runtime API with a complete body; resolves with the answer. */
  post(
    path: string,
    body: Buffer | string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: this.#t.host, port: this.#t.port, method: "POST", path, headers, agent: this.agent },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  /**
   * Opens a streamed `POST /response` the test writes to. `answer` settles with the server's reply (or the
   * error that closed the connection).
   */
  stream(
    requestId: string,
    contentType: string,
  ): { req: ClientRequest; answer: Promise<{ status: number; body: string } | Error> } {
    const req = request({
      host: this.#t.host,
      port: this.#t.port,
      method: "POST",
      path: `/2018-06-01/runtime/invocation/${requestId}/response`,
      agent: this.agent,
      headers: {
        "Lambda-Runtime-Function-Response-Mode": "streaming",
        "Content-Type": contentType,
        "Transfer-Encoding": "chunked",
        Trailer: "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body",
      },
    });
    const answer = new Promise<{ status: number; body: string } | Error>((resolve) => {
      req.on("response", (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on("error", (error) => resolve(error));
    });
    req.flushHeaders();
    return { req, answer };
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Writes a chunk to a streamed response and waits until it is handed to the socket. */
export function write(req: ClientRequest, chunk: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => req.write(chunk, (error) => (error ? reject(error) : resolve())));
}

/** The prelude bytes: JSON, then 8 NULs. */
export function preludeBytes(prelude: object): Buffer {
  return Buffer.concat([Buffer.from(JSON.stringify(prelude)), Buffer.alloc(8)]);
}

export const HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response";

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
