/**
 * Takeover while an approved MCP call is in flight: two real instances with an MCP server (the
 * Streamable HTTP fixture, whose `write` this test holds open) and a model (a local OpenAI-compatible
 * server) configured in THREADLINE_CONFIG. Runs against the production build, after `next build`.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunEvent } from "@/lib/run-events";
import { createUser } from "@/server/auth/users";
import { CUT_OFF } from "@/server/runs/execute";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { follow } from "@/scripts/testing/instance-scenarios";
import { FIXTURE_TOKEN, startHttpFixture } from "@/scripts/testing/mcp-fixture";
import { startFakeOpenAI } from "@/scripts/testing/openai-server";
import { clientFor, type Server, sessionCookie, startServer } from "@/scripts/testing/servers";
import { uniqueEmail } from "@/scripts/testing/users";

const t = testDatabaseForFile();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "threadline-mcp-takeover-"));
const log = path.join(dir, "calls.log");
const calls = () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean) : []);

let release!: () => void;
const held = new Promise<void>((resolve) => (release = resolve));
let fixture: Awaited<ReturnType<typeof startHttpFixture>>;
let model: Awaited<ReturnType<typeof startFakeOpenAI>>;
let env: Record<string, string>;

beforeAll(async () => {
  fixture = await startHttpFixture(log, 0, { hold: () => held });
  // The model asks for one write; given the call's result, it reports it. Titles are asked without tools.
  model = await startFakeOpenAI((req) => {
    const last = req.messages.at(-1)!;
    if (!req.tools?.length) return { text: "Writing hello" };
    if (last.role === "tool") return { text: `The write reported: ${String(last.content)}` };
    return { toolCalls: [{ name: "fixture__write", args: { text: "hello" } }] };
  });
  const file = path.join(dir, "threadline.config.json");
  fs.writeFileSync(
    file,
    JSON.stringify({
      models: [{ id: "fake", provider: "openai-compatible", model: "fake-model", baseUrl: model.url }],
      mcpServers: [{ id: "fixture", http: { url: fixture.url, headers: { Authorization: { env: "FIXTURE_TOKEN_VALUE", prefix: "Bearer " } } } }],
      agents: [{ id: "writer", name: "Writer", model: "fake", tools: ["mcp:fixture/write"], memory: false }],
    }),
  );
  env = { THREADLINE_CONFIG: file, FIXTURE_TOKEN_VALUE: FIXTURE_TOKEN };
}, 60_000);

afterAll(async () => {
  release();
  await fixture?.kill();
  await model?.close();
});

describe("kill -9 of the instance running an approved MCP call", () => {
  it("another instance takes the run over and does not send the call again: it ran once, its result is recorded as cut off, and the answer is complete", async () => {
    const created = await createUser(t.db, { email: uniqueEmail(), password: "correct-horse-42" });
    if (!created.ok) throw new Error("no user");
    const cookie = await sessionCookie(t.db, created.user.id, created.user.email);
    const [a, b] = await Promise.all([startServer(t.url, env), startServer(t.url, env)]);
    const servers: Server[] = [a, b];
    try {
      const onA = clientFor(a, cookie);
      const onB = clientFor(b, cookie);
      const { runId, threadId } = await onA.chat.send.mutate({ text: "write hello" });
      expect((await follow(onB, runId)).at(-1)).toEqual({ type: "run-end", status: "paused", error: null });
      const [pending] = (await onB.thread.messages.query({ threadId })).approvals;
      expect(pending).toMatchObject({ name: "fixture__write", args: { text: "hello" }, status: "pending" });

      // Approved on A, which resumes the run there and sends the call; the fixture holds it open.
      const decided = await onA.chat.decide.mutate({ threadId, toolCallId: pending!.toolCallId, decision: { type: "approve" } });
      const resumed = decided.runId!;
      await expect.poll(calls, { timeout: 20_000 }).toEqual(["write:hello"]);
      const written = await t.pool.query("SELECT event->>'type' AS type FROM run_events WHERE run_id = $1 ORDER BY seq", [resumed]);
      expect(written.rows.map((r) => r.type)).toEqual(["run-start", "tool-start"]);
      a.process.kill("SIGKILL");
      await a.exited;
      // The call the dead instance sent takes effect on the MCP server after all.
      release();
      await expect.poll(calls).toEqual(["write:hello", "applied:hello"]);

      const events: RunEvent[] = await follow(onB, resumed);
      expect(events.at(-1)).toEqual({ type: "run-end", status: "succeeded", error: null });
      expect(events.filter((e) => e.type === "tool-result")).toEqual([
        { type: "tool-result", toolCallId: pending!.toolCallId, name: "fixture__write", content: CUT_OFF, isError: true },
      ]);
      // Sent once, by the instance that died: B never sent it again.
      expect(calls()).toEqual(["write:hello", "applied:hello"]);

      const { rows } = await t.pool.query("SELECT owner_instance, recoveries, status FROM runs WHERE id = $1", [resumed]);
      expect(rows[0]).toMatchObject({ status: "succeeded", recoveries: 1, owner_instance: expect.stringContaining(`:${b.process.pid}:`) });
      const approvals = await t.pool.query("SELECT status, resumed_by_run_id FROM approvals WHERE thread_id = $1", [threadId]);
      expect(approvals.rows).toEqual([{ status: "approved", resumed_by_run_id: resumed }]);

      const after = await onB.thread.messages.query({ threadId });
      expect(after).toMatchObject({ activeRunId: null, interrupted: false, approvals: [] });
      expect(after.messages).toMatchObject([
        { role: "user", text: "write hello" },
        {
          role: "assistant",
          parts: [
            { type: "tool", name: "fixture__write", approval: { status: "approved" }, result: { content: CUT_OFF, isError: true } },
            { type: "text", text: `The write reported: ${CUT_OFF}` },
          ],
        },
      ]);
    } finally {
      release();
      await Promise.all(servers.map((s) => s.stop()));
    }
  }, 120_000);
});
