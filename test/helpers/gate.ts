// A TCP gate for tests of concurrent invocations: handlers report to it once in flight, and wait until it opens.
import { once } from "node:events";
import * as net from "node:net";

/** An invocation that reached the gate: where it runs. */
export interface Arrival {
  readonly thread: number;
  /** The handler module instance (one per worker thread). */
  readonly init: string;
  readonly socket: net.Socket;
}

/**
 * A TCP server handlers report to once in flight (one line: `<request id> <thread id> <module instance>`), and
 * wait on until the test opens it (any byte): the test then knows every invocation it waits for is running at
 * the same time, on whichever thread or process.
 */
export class Gate {
  /** Who arrived, by request id. */
  readonly arrivals = new Map<string, Arrival>();
  readonly #server = net.createServer((socket) => this.#arrived(socket));
  readonly #waiters = new Set<() => void>();
  /** The port handlers connect to (127.0.0.1). */
  port = 0;

  /** Listens on an ephemeral port of 127.0.0.1 (then {@link port} is set). */
  async start(): Promise<this> {
    this.#server.listen(0, "127.0.0.1");
    await once(this.#server, "listening");
    this.port = (this.#server.address() as net.AddressInfo).port;
    return this;
  }

  /** Resolves once these request ids have all arrived. */
  until(ids: readonly string[]): Promise<void> {
    return this.#when(() => ids.every((id) => this.arrivals.has(id)));
  }

  /** Resolves once `count` invocations (any) have arrived. */
  untilCount(count: number): Promise<void> {
    return this.#when(() => this.arrivals.size >= count);
  }

  /** Lets these invocations (all that arrived, by default) go on. */
  open(ids: readonly string[] = [...this.arrivals.keys()]): void {
    for (const id of ids) this.arrivals.get(id)?.socket.write("go");
  }

  /** Closes every arrival's connection and stops listening. */
  async close(): Promise<void> {
    for (const { socket } of this.arrivals.values()) socket.destroy();
    this.#server.close();
  }

  #when(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (!condition()) return;
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  #arrived(socket: net.Socket): void {
    socket.on("error", () => undefined);
    let line = "";
    socket.on("data", (data: Buffer) => {
      line += data.toString();
      if (!line.endsWith("\n")) return;
      const [id, thread, init] = line.trim().split(" ");
      this.arrivals.set(id as string, { thread: Number(thread), init: init as string, socket });
      for (const check of [...this.#waiters]) check();
    });
  }
}
