/**
 * Several real server processes on one database, as deployed behind a load balancer. These run
 * against the production build, after `next build` (npm test orders it so).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "@/server/auth/users";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { follow, instanceScenarios, type Instances } from "@/scripts/testing/instance-scenarios";
import { clientFor, type Server, sessionCookie, startServer } from "@/scripts/testing/servers";
import { uniqueEmail } from "@/scripts/testing/users";

const t = testDatabaseForFile();
const instances = { t, start: (env?: Record<string, string>) => startServer(t.url, env) } as Instances;
let b: Server;
let cookie: string;
beforeAll(async () => {
  b = instances.b = await startServer(t.url);
  const created = await createUser(t.db, { email: uniqueEmail(), password: "correct-horse-42" });
  if (!created.ok) throw new Error("no user");
  cookie = instances.cookie = await sessionCookie(t.db, created.user.id, created.user.email);
}, 120_000);
afterAll(async () => {
  await b?.stop();
});

describe("several instances, Postgres the only shared state", () => {
  instanceScenarios(instances);

  it("an answer that outlasts RUN_STALE_AFTER_MS stays with its living instance, which heartbeats it", async () => {
    const onB = clientFor(b, cookie);
    const { runId, threadId } = await onB.chat.send.mutate({ text: "tell me about yourself" });
    expect((await follow(onB, runId)).at(-1)).toEqual({ type: "run-end", status: "succeeded", error: null });
    const { rows } = await t.pool.query(
      "SELECT owner_instance, recoveries, extract(epoch FROM finished_at - started_at) * 1000 AS ms FROM runs WHERE id = $1",
      [runId],
    );
    // Longer than the servers' RUN_STALE_AFTER_MS (scripts/testing/servers.ts): only heartbeats kept it.
    expect(Number(rows[0].ms)).toBeGreaterThan(1500);
    expect(rows[0]).toMatchObject({ recoveries: 0, owner_instance: expect.stringContaining(`:${b.process.pid}:`) });
    const { messages } = await onB.thread.messages.query({ threadId: threadId });
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("SIGTERM drains: the answer finishes its step, the instance exits, another continues it to the end", async () => {
    const a = await startServer(t.url);
    const onA = clientFor(a, cookie);
    const onB = clientFor(b, cookie);
    const { runId, threadId } = await onA.chat.send.mutate({ text: "what is 12*7?" });
    let signalled = false;
    const events = await follow(onB, runId, (e) => {
      if (!signalled && e.type === "tool-call") {
        signalled = true;
        a.process.kill("SIGTERM");
      }
    });
    expect(await a.exited).toBe(0);
    expect(a.output()).toMatch(/"signal":"SIGTERM".*"msg":"shutting down: finishing the current step/);
    expect(events.at(-1)).toEqual({ type: "run-end", status: "succeeded", error: null });
    const { rows } = await t.pool.query("SELECT owner_instance, recoveries FROM runs WHERE id = $1", [runId]);
    expect(rows[0].recoveries).toBe(1);
    expect(rows[0].owner_instance).toContain(`:${b.process.pid}:`);
    const { messages } = await onB.thread.messages.query({ threadId: threadId });
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(JSON.stringify(messages[1])).toContain("84");
  }, 60_000);
});
