/** The health endpoints of a real `next start`, as a load balancer sees them. */
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
});
