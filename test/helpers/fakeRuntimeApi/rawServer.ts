// A raw node:net server on 127.0.0.1 whose connections all read into one shared, reused buffer.
import { once } from "node:events";
import * as net from "node:net";

/**
 * Size of the one read buffer every connection reads into. Node's default allocates a fresh buffer per read
 * and collects it later, which at gigabytes per second costs the receiving process a whole core; with one
 * reused buffer the fake needs well under a core at the loopback limit.
 */
const READ_BUFFER_BYTES = 256 * 1024;

/**
 * Receives what one connection read: `buffer[0, length)`, at `at` (`performance.now()`). The buffer is
 * shared and reused after the call: copy what you keep.
 */
export type Reader = (buffer: Buffer, length: number, at: number) => void;

/** Called for each accepted connection (`id` counts from 1); returns the connection's reader. */
export type OnConnection = (socket: net.Socket, id: number) => Reader;

/** A listening server. */
export interface RawServer {
  readonly port: number;
  /** How many connections were accepted so far. */
  readonly connections: number;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/** Starts a server on an ephemeral port of 127.0.0.1. Sockets have Nagle's algorithm off. */
export async function startRawServer(onConnection: OnConnection): Promise<RawServer> {
  const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  const open = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (incoming) => {
    const id = ++accepted;
    let reader: Reader = () => undefined;
    const socket = adoptWithSharedBuffer(incoming, readBuffer, (buffer, length, at) =>
      reader(buffer, length, at),
    );
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    socket.on("error", () => undefined);
    reader = onConnection(socket, id);
    socket.resume();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return accepted;
    },
    async close() {
      const closed = once(server, "close");
      server.close();
      for (const socket of open) socket.destroy();
      await closed;
    },
  };
}

/**
 * Re-wraps an accepted socket's handle in a socket that reads into `buffer` (the `onread` option, which
 * `net.createServer` does not offer for accepted sockets). `pause()` on such a socket stops reading from the
 * kernel at once. Falls back to ordinary `data` events if the handle is not reachable.
 */
function adoptWithSharedBuffer(accepted: net.Socket, buffer: Buffer, read: Reader): net.Socket {
  const withHandle = accepted as net.Socket & { _handle?: unknown };
  if (!withHandle._handle) {
    accepted.on("data", (data: Buffer) => read(data, data.length, performance.now()));
    return accepted;
  }
  const socket = new net.Socket({
    handle: withHandle._handle,
    readable: true,
    writable: true,
    onread: {
      buffer,
      callback: (length: number, bytes: Uint8Array) => void read(bytes as Buffer, length, performance.now()),
    },
  } as unknown as net.SocketConstructorOpts);
  // The old wrapper gives up the handle; destroying it settles the server's connection count.
  withHandle._handle = null;
  accepted.destroy();
  socket.setNoDelay(true);
  return socket;
}
