// A loopback port nothing listens on, for tests that start a server (npm start) on a port of their own.
import * as net from "node:net";

/** Binds port 0 on 127.0.0.1, reads the port the system chose, and releases it. */
export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
