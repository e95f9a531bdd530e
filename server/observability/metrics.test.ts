import { describe, expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { failure } from "@/scripts/testing/failure";
import { metricValue as value } from "@/scripts/testing/metrics";
import { settingsPerTest } from "@/scripts/testing/settings";
import { signedInCaller } from "@/scripts/testing/users";
import { signInWithPassword } from "@/server/auth/sign-in-limit";
import { metricsResponse } from "./metrics-endpoint";

const t = testDatabaseForFile();
const set = settingsPerTest();

const scrape = (token?: string) =>
  metricsResponse(new Request("http://app.example/api/metrics", { headers: token ? { authorization: `Bearer ${token}` } : {} }));

describe("metrics", () => {
  it("are off without METRICS_TOKEN, and need it as a bearer token", async () => {
    set({ METRICS_TOKEN: undefined });
    expect((await scrape("anything")).status).toBe(404);
    set({ METRICS_TOKEN: "s3cret-token" });
    expect((await scrape()).status).toBe(401);
    expect((await scrape("wrong-token!")).status).toBe(401);
    const ok = await scrape("s3cret-token");
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toContain("text/plain");
  });

  it("count runs, model calls, tokens, nodes, tools, streams, queries, checkpoint writes and rate limits", async () => {
    set({ METRICS_TOKEN: "s3cret-token" });
    set({ MESSAGE_RATE_PER_MINUTE: 1 });
    set({ SIGNIN_FAILURES_PER_EMAIL_IP: 1 });
    const before = await (await scrape("s3cret-token")).text();
    const { caller, user } = await signedInCaller(t);
    const sent = await caller.chat.send({ text: "what is 6*7?" });
    // Scraped once while the stream is open, then read to its end.
    let streaming = "";
    for await (const _ of await caller.chat.events({ runId: sent.runId, lastEventId: `${sent.runId}:0` }))
      streaming ||= await (await scrape("s3cret-token")).text();
    expect(value(streaming, "threadline_event_streams_open") - value(before, "threadline_event_streams_open")).toBe(1);
    // Over both limits once: the second message this minute, a sign-in after a failed one for this email.
    expect((await failure(caller.chat.send({ threadId: sent.threadId, text: "and 7*8?" }))).code).toBe("TOO_MANY_REQUESTS");
    expect(await signInWithPassword(t.db, { email: user.email, password: "wrong-password" }, "192.0.2.1")).toBeNull();
    await expect(signInWithPassword(t.db, { email: user.email, password: "wrong-password" }, "192.0.2.1")).rejects.toMatchObject({
      code: expect.stringMatching(/^rate_limited:/),
    });
    const after = await (await scrape("s3cret-token")).text();
    const grew = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);

    expect(grew("threadline_runs_started_total")).toBe(1);
    expect(grew("threadline_runs_total", { outcome: "succeeded" })).toBe(1);
    expect(grew("threadline_model_call_seconds_count", { provider: "offline", outcome: "ok" })).toBe(2); // the tool call, then the answer
    expect(grew("threadline_model_first_token_seconds_count", { provider: "offline" })).toBe(1); // only the answer streams text
    expect(grew("threadline_model_tokens_total", { provider: "offline", direction: "out" })).toBeGreaterThan(0);
    expect(grew("threadline_graph_node_seconds_count", { node: "model" })).toBe(2);
    expect(grew("threadline_graph_node_seconds_count", { node: "tools" })).toBe(1);
    expect(grew("threadline_tool_calls_total", { tool: "calculator", outcome: "ok" })).toBe(1);
    expect(grew("threadline_event_streams_open")).toBe(0); // opened and closed again
    expect(grew("threadline_rate_limited_total", { limit: "messages" })).toBe(1);
    expect(grew("threadline_rate_limited_total", { limit: "sign-in" })).toBe(1);
    expect(grew("threadline_db_query_seconds_count")).toBeGreaterThan(5);
    expect(grew("threadline_checkpoint_write_seconds_count", { op: "put" })).toBeGreaterThan(2);
    expect(after).toContain("threadline_active_runs 0");
    expect(after).toContain("threadline_process_resident_memory_bytes");
  });
});
