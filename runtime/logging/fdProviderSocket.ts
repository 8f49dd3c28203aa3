// Connects to the log socket Lambda Managed Instances name in `_LAMBDA_TELEMETRY_LOG_FD_PROVIDER_SOCKET`.
import type { Socket } from "node:net";

// Loaded without a static import: on Node 24 a static ESM import of a built-in costs start-up time.
const net = process.getBuiltinModule("node:net");

/** Open connections: kept referenced, since a socket collected as garbage would close its descriptor. */
const connections: Socket[] = [];

/**
 * Connects to the Unix socket at `path` and gives the connection's descriptor, to be written to synchronously
 * (one line per record), as AWS's runtime does. The connection never keeps the process alive and its
 * errors never crash it (a write to a broken one fails, and logging falls back to stdout).
 * @param path The socket's path.
 * @returns The connected socket's descriptor.
 * @throws Error naming the path when the connection fails.
 */
export function connectFdProviderSocket(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(path);
    const failed = (error: Error): void =>
      reject(new Error(`cannot connect to the log socket ${path}: ${error.message}`, { cause: error }));
    socket.once("error", failed);
    socket.once("connect", () => {
      socket.off("error", failed);
      socket.on("error", () => undefined);
      const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
      if (typeof fd !== "number" || fd < 0) {
        socket.destroy();
        reject(new Error(`the connection to the log socket ${path} has no descriptor to write to`));
        return;
      }
      socket.pause();
      socket.unref();
      connections.push(socket);
      resolve(fd);
    });
  });
}
