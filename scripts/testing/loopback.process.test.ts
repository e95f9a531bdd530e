import net from "node:net";
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseForFile } from "./database";
import { type Server, startServeScript, startServer } from "./servers";

const reachable = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port, timeout: 3000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });

/**
 * Addresses of this machine other than 127.0.0.1 that a server listening on every interface can
 * be reached on from here, proven by such a server: the network's, and on Linux 127.0.0.2 (all of
 * 127/8 is local there, so a machine without a network still has one).
 */
async function otherAddresses(): Promise<string[]> {
  const candidates = Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal && !(a.family === "IPv6" && a.address.toLowerCase().startsWith("fe80:")))
    .map((a) => a!.address);
  if (process.platform === "linux") candidates.push("127.0.0.2");
  // No host: every interface, as Next listens without -H.
  const everywhere = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => everywhere.listen(0, resolve));
  const { port } = everywhere.address() as net.AddressInfo;
  try {
    const ok = await Promise.all(candidates.map((address) => reachable(address, port)));
    return candidates.filter((_, i) => ok[i]);
  } finally {
    everywhere.close();
  }
}

describe("servers started for tests, the benchmark and the load test", () => {
  const t = testDatabaseForFile();
  let others: string[];
  beforeAll(async () => {
    others = await otherAddresses();
  });

  const expectLoopbackOnly = async (server: Server) => {
    const port = Number(new URL(server.url).port);
    expect(await reachable("127.0.0.1", port)).toBe(true);
    expect(others.length).toBeGreaterThan(0);
    const elsewhere = await Promise.all(others.map(async (address) => [address, await reachable(address, port)] as const));
    expect(elsewhere.filter(([, ok]) => ok).map(([address]) => address)).toEqual([]);
  };

  describe("startServer (process tests, npm run load)", () => {
    let server: Server;
    beforeAll(async () => {
      server = await startServer(t.url);
    });
    afterAll(() => server.stop());

    it("listens on 127.0.0.1 only", () => expectLoopbackOnly(server));
  });

  describe("npm start with HOST=127.0.0.1 (the end-to-end tests' server)", () => {
    let server: Server;
    beforeAll(async () => {
      server = await startServeScript(t.url, { AUTH_SECRET: "loopback-test-secret-loopback-test-secret" });
    });
    afterAll(() => server.stop());

    it("listens on 127.0.0.1 only", () => expectLoopbackOnly(server));
  });
});
