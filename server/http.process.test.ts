/** A real `next start` over HTTP: its health endpoints, as a load balancer sees them, and its guards. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { type Server, startServer } from "@/scripts/testing/servers";

const t = testDatabaseForFile();
let server: Server;
beforeAll(async () => {
  server = await startServer(t.url, { METRICS_TOKEN: "scrape-me-please" });
}, 120_000);
afterAll(async () => {
  await server?.stop();
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

  it("serves Prometheus metrics to a scraper with the bearer token only", async () => {
    expect((await fetch(`${server.url}/api/metrics`)).status).toBe(401);
    const res = await fetch(`${server.url}/api/metrics`, { headers: { authorization: "Bearer scrape-me-please" } });
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const name of [
      "threadline_runs_total",
      "threadline_active_runs",
      "threadline_event_streams_open",
      "threadline_model_call_seconds",
      "threadline_db_query_seconds_bucket",
      "threadline_process_cpu_seconds_total",
    ]) {
      expect(text).toContain(name);
    }
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

  it("exports traces over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set", async () => {
    const received: string[] = [];
    const collector = http.createServer((req, res) => {
      received.push(`${req.method} ${req.url}`);
      req.resume();
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
    });
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const traced = await startServer(t.url, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: "100" });
    try {
      await fetch(`${traced.url}/api/trpc/chat.model`);
      await expect.poll(() => received, { timeout: 15_000 }).toContain("POST /v1/traces");
    } finally {
      await traced.stop();
      collector.close();
    }
  });
});
