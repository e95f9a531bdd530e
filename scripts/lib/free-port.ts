import net from "node:net";

/**
 * A TCP port free on loopback right now, for a server started next that must be told its port up
 * front (`next start -p`). Another process could take it in between; the window is short enough.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
