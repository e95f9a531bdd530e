/** A real `next start` over HTTP: its health endpoints, as a load balancer sees them, and its guards. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/scripts/testing/database";
import { type Server, startServer } from "@/scripts/testing/servers";

let t: TestDatabase;
let server: Server;
beforeAll(async () => {
  t = await createTestDatabase();
  server = await startServer(t.url);
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await t?.drop();
});

describe("health endpoints", () => {
  it("answer without signing in: alive, and ready with the database migrated", async () => {
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${server.url}/api/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", checks: { database: true, migrations: true, accepting: true } });
  });

  it("refuses a cross-site tRPC mutation and an oversized body before any procedure runs", async () => {
    const send = (headers: Record<string, string>, body: string) =>
      fetch(`${server.url}/api/trpc/chat.send`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    const cross = await send({ origin: "https://evil.example" }, JSON.stringify({ json: { text: "hi" } }));
    expect(cross.status).toBe(403);
    expect((await cross.json()).error.json.message).toBe("Cross-site requests are not allowed");
    const big = await send({}, JSON.stringify({ json: { text: "x".repeat(2_000_000) } }));
    expect(big.status).toBe(413);
    // Not refused by the guard: the procedure itself answers (no session here).
    const plain = await send({}, JSON.stringify({ json: { text: "hi" } }));
    expect(plain.status).toBe(401);
  });
});
