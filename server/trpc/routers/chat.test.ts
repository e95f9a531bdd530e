import { describe, expect, it } from "vitest";
import { createOfflineModel, OFFLINE_INTRO } from "@/server/agent/offline-model";
import type { RunEvent } from "@/lib/run-events";
import { applyToTurn, emptySnapshot } from "@/lib/turn";
import { testAgent } from "@/scripts/testing/agent";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { failure } from "@/scripts/testing/failure";
import { httpError, scriptedModel } from "@/scripts/testing/fake-model";
import { createPool } from "@/db/client";
import { startBlipProxy } from "@/e2e/blip-proxy";
import { isTransient } from "@/server/agent/graph";
import { ScriptedChatModel } from "@/server/agent/scripted-model";
import { subscribeEvents } from "@/scripts/testing/events";
import { signedInCaller } from "@/scripts/testing/users";
import { settingsPerTest } from "@/scripts/testing/settings";
import { DATABASE_LOST } from "@/server/runs/execute";
import { localRun } from "@/server/runs/registry";

const t = testDatabaseForFile();
const set = settingsPerTest();

const readEvents = subscribeEvents;
const streamedText = (events: RunEvent[]) =>
  events
    .filter((e): e is Extract<RunEvent, { type: "text-delta" }> => e.type === "text-delta")
    .map((e) => e.delta)
    .join("");

describe("chat", () => {
  it("answers another user's run as missing while it is still answering on this instance, and its owner's as it streams", async () => {
    const agent = testAgent(t.pool, createOfflineModel(20));
    const owner = await signedInCaller(t, agent);
    const stranger = await signedInCaller(t, agent);
    const { runId } = await owner.caller.chat.send({ text: "hello" });
    expect(localRun(runId), "still answering here").not.toBeNull();
    const error = await failure(readEvents(stranger.caller, runId));
    expect(error).toMatchObject({ code: "NOT_FOUND", message: "Answer not found" });
    expect((await readEvents(owner.caller, runId)).at(-1)!.event).toMatchObject({ type: "run-end", status: "succeeded" });
  });

  it("answers with streamed text, tool call and result, and checkpoints every step in the langgraph schema", async () => {
    const { caller } = await signedInCaller(t);
    const { threadId, runId } = await caller.chat.send({ text: "what is 12*7?" });
    const events = (await readEvents(caller, runId)).map((e) => e.event);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("run-start");
    expect(types).toContain("tool-call");
    expect(events.find((e) => e.type === "tool-result")).toMatchObject({ name: "calculator", content: "84", isError: false });
    expect(
      events
        .filter((e) => e.type === "text-delta")
        .map((e) => (e as { delta: string }).delta)
        .join(""),
    ).toBe("12*7 = **84**");
    expect(events.at(-1)).toEqual({ type: "run-end", status: "succeeded", error: null });
    expect(events.find((e) => e.type === "message-end")).toMatchObject({ usage: { input: expect.any(Number), output: expect.any(Number) } });

    const { rows } = await t.pool.query("SELECT count(*)::int AS n FROM langgraph.checkpoints WHERE thread_id = $1", [threadId]);
    expect(rows[0].n).toBeGreaterThanOrEqual(4);

    const { messages, activeRunId, interrupted } = await caller.thread.messages({ threadId: threadId });
    expect(activeRunId).toBeNull();
    expect(interrupted).toBe(false);
    expect(messages).toMatchObject([
      { role: "user", text: "what is 12*7?" },
      {
        role: "assistant",
        stopped: false,
        parts: [
          { type: "tool", name: "calculator", args: { expression: "12*7" }, result: { content: "84", isError: false } },
          { type: "text", text: "12*7 = **84**" },
        ],
      },
    ]);
  });

  it("resumes a subscription after the last event id without repeating or losing events", async () => {
    const { caller } = await signedInCaller(t);
    const { runId } = await caller.chat.send({ text: "hello" });
    const all = await readEvents(caller, runId);
    const cut = Math.floor(all.length / 2);
    const rest = await readEvents(caller, runId, all[cut - 1]!.id);
    expect(rest.map((e) => e.id)).toEqual(all.slice(cut).map((e) => e.id));
  });

  it("gives a client that joins mid-answer the turn so far as one snapshot, then the rest live, adding up to exactly the answer", async () => {
    const { caller } = await signedInCaller(t, testAgent(t.pool, createOfflineModel(10)));
    const { runId } = await caller.chat.send({ text: "tell me about yourself" });
    const written = async () =>
      (await t.pool.query("SELECT count(*)::int AS n FROM run_events WHERE run_id = $1 AND event->>'type' = 'text-delta'", [runId])).rows[0].n;
    await expect.poll(written, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);

    const joined = await readEvents(caller, runId, null); // from this instance's memory, while it runs
    const all = await readEvents(caller, runId);
    expect(joined[0]!.event.type).toBe("snapshot");
    expect(joined.filter((e) => e.event.type === "snapshot")).toHaveLength(1);
    expect(joined.length).toBeLessThan(all.length);
    // After the snapshot come exactly the events the full log has after the one it ends at.
    const at = all.findIndex((e) => e.id === joined[0]!.id);
    expect(at).toBeGreaterThanOrEqual(3);
    expect(joined.slice(1).map((e) => e.id)).toEqual(all.slice(at + 1).map((e) => e.id));
    const fold = (events: { event: RunEvent }[]) => events.reduce((turn, e) => applyToTurn(turn, e.event), emptySnapshot);
    expect(fold(joined)).toEqual(fold(all));
    expect(fold(joined).parts.at(-1)).toMatchObject({ type: "text", text: expect.stringContaining("offline demo model") });

    // Once it has ended, a joining client gets the whole turn, then the ending.
    const late = await readEvents(caller, runId, null);
    expect(late.map((e) => e.event.type)).toEqual(["snapshot", "run-end"]);
    expect(late.map((e) => e.id)).toEqual(all.slice(-2).map((e) => e.id));
    expect(fold(late)).toEqual(fold(all));
  });

  it("keeps the message id the client chose, and refuses the same message twice", async () => {
    const { caller } = await signedInCaller(t);
    const messageId = crypto.randomUUID();
    const { threadId, runId } = await caller.chat.send({ text: "what is 1+2?", messageId });
    await readEvents(caller, runId);
    expect((await caller.thread.messages({ threadId: threadId })).messages[0]).toMatchObject({ id: messageId, role: "user", text: "what is 1+2?" });
    const again = await failure(caller.chat.send({ threadId, text: "what is 1+2?", messageId }));
    expect([again.code, again.message]).toEqual(["CONFLICT", "This message was already sent"]);
    expect((await failure(caller.chat.send({ threadId, text: "hi", messageId: "not-a-uuid" }))).code).toBe("BAD_REQUEST");
  });

  it("names the thread from the first message, unless the user renamed it", async () => {
    const { caller } = await signedInCaller(t);
    const first = await caller.chat.send({ text: "Plan a weekend in Lisbon for two people" });
    await readEvents(caller, first.runId);
    await expect.poll(async () => (await caller.thread.get({ threadId: first.threadId })).title).toBe("Plan a weekend in Lisbon for");

    const renamed = await caller.thread.create();
    await caller.thread.rename({ threadId: renamed.id, title: "Mine" });
    const r = await caller.chat.send({ threadId: renamed.id, text: "hello there" });
    await readEvents(caller, r.runId);
    expect((await caller.thread.get({ threadId: renamed.id })).title).toBe("Mine");
  });

  it("refuses another user's thread as not found, for send, stop, retry and events", async () => {
    const owner = await signedInCaller(t);
    const other = await signedInCaller(t);
    const { threadId, runId } = await owner.caller.chat.send({ text: "secret" });
    expect((await failure(other.caller.chat.send({ threadId, text: "hi" }))).code).toBe("NOT_FOUND");
    expect((await failure(other.caller.chat.stop({ threadId }))).code).toBe("NOT_FOUND");
    expect((await failure(other.caller.chat.retry({ threadId }))).code).toBe("NOT_FOUND");
    expect((await failure(other.caller.thread.messages({ threadId: threadId }))).code).toBe("NOT_FOUND");
    expect((await failure(readEvents(other.caller, runId))).code).toBe("NOT_FOUND");
    await readEvents(owner.caller, runId);
  });

  it("rejects empty and oversized messages with a clear message", async () => {
    const { caller } = await signedInCaller(t);
    expect((await failure(caller.chat.send({ text: "   \n " }))).message).toBe("text: Message cannot be empty");
    expect((await failure(caller.chat.send({ text: "x".repeat(32_001) }))).message).toBe("text: Message must be at most 32,000 characters");
    const ok = await caller.chat.send({ text: "y".repeat(32_000) });
    await readEvents(caller, ok.runId);
  });

  it("refuses a second message while the first is being answered, then accepts it", async () => {
    const { caller } = await signedInCaller(t, testAgent(t.pool, createOfflineModel(20)));
    const { threadId, runId } = await caller.chat.send({ text: "hello" });
    const busy = await failure(caller.chat.send({ threadId, text: "again" }));
    expect({ code: busy.code, message: busy.message }).toEqual({ code: "CONFLICT", message: "Still answering the previous message" });
    await caller.chat.stop({ threadId });
    await readEvents(caller, runId);
    const next = await caller.chat.send({ threadId, text: "again" });
    expect((await readEvents(caller, next.runId)).at(-1)!.event).toMatchObject({ status: "succeeded" });
  });

  it("keeps a stopped answer's partial text, marked as stopped, and the thread stays usable", async () => {
    const { caller } = await signedInCaller(t, testAgent(t.pool, createOfflineModel(15)));
    const { threadId, runId } = await caller.chat.send({ text: "tell me about yourself" });
    const events: RunEvent[] = [];
    let stop: unknown = null;
    for await (const item of await caller.chat.events({ runId, lastEventId: `${runId}:0` })) {
      events.push((item as unknown as [string, RunEvent])[1]);
      if (stop === null && streamedText(events).length > 40) stop = await caller.chat.stop({ threadId });
    }
    expect(stop).toEqual({ stopped: true });
    expect(events.filter((e) => e.type === "run-end")).toEqual([{ type: "run-end", status: "cancelled", error: null }]);
    expect(events.at(-1)!.type).toBe("run-end");
    // Cut short: the start of the answer the model was writing, and well short of all of it.
    const streamed = streamedText(events);
    expect(OFFLINE_INTRO.startsWith(streamed)).toBe(true);
    expect(streamed.length).toBeLessThan(OFFLINE_INTRO.length / 3);
    const { messages } = await caller.thread.messages({ threadId: threadId });
    expect(messages).toMatchObject([
      { role: "user", text: "tell me about yourself" },
      { role: "assistant", stopped: true, parts: [{ type: "text", text: streamed }] },
    ]);

    const next = await caller.chat.send({ threadId, text: "what is 2+2?" });
    expect((await readEvents(caller, next.runId)).at(-1)!.event).toEqual({ type: "run-end", status: "succeeded", error: null });
    const after = await caller.thread.messages({ threadId: threadId });
    expect(after.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
  });

  it("ends a failing run with a readable reason, keeps the user's message, and Retry continues it", async () => {
    const { model } = scriptedModel([httpError(500), httpError(500), { text: "Recovered." }]);
    const agent = testAgent(t.pool, model, { retry: { maxAttempts: 2, initialInterval: 1, jitter: false, retryOn: () => true } });
    const { caller } = await signedInCaller(t, agent);
    const { threadId, runId } = await caller.chat.send({ text: "are you there?" });
    const end = (await readEvents(caller, runId)).at(-1)!.event;
    expect(end).toEqual({ type: "run-end", status: "failed", error: "The model provider had a server error (500), even after retrying." });

    const state = await caller.thread.messages({ threadId: threadId });
    expect(state.messages).toEqual([expect.objectContaining({ role: "user", text: "are you there?" })]);
    expect(state.interrupted).toBe(true);

    const retry = await caller.chat.retry({ threadId });
    expect((await readEvents(caller, retry.runId)).at(-1)!.event).toMatchObject({ status: "succeeded" });
    const after = await caller.thread.messages({ threadId: threadId });
    expect(after.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(after.interrupted).toBe(false);
  });

  it("names the database, not the model provider, when the database goes away mid-answer, and does not call the model again", async () => {
    // The checkpoints' connections go through a proxy the model's first call closes: the database is
    // gone for good, so the step's checkpoint waits out the grace and the run ends interrupted.
    set({ DB_OUTAGE_GRACE_MS: 300 });
    const proxy = await startBlipProxy(new URL(t.url.replace(/^postgres(ql)?:/, "http:")));
    const viaProxy = new URL(t.url);
    viaProxy.port = new URL(proxy.url).port;
    const pool = createPool(viaProxy.toString());
    let calls = 0;
    const model = new ScriptedChatModel(
      async () => {
        calls++;
        await proxy.close();
        return { text: "An answer that cannot be saved." };
      },
      { tokenDelayMs: 0 },
    );
    try {
      const { caller } = await signedInCaller(
        t,
        testAgent(pool, model, { retry: { maxAttempts: 4, initialInterval: 1, jitter: false, retryOn: isTransient } }),
      );
      const { runId } = await caller.chat.send({ text: "are you there?" });
      const end = (await readEvents(caller, runId)).at(-1)!.event;
      expect(end).toEqual({ type: "run-end", status: "interrupted", error: DATABASE_LOST });
      expect(calls).toBe(1);
    } finally {
      await pool.end().catch(() => undefined);
    }
  });

  it("deletes a thread's checkpoints with the thread", async () => {
    const { caller } = await signedInCaller(t);
    const { threadId, runId } = await caller.chat.send({ text: "remember me" });
    await readEvents(caller, runId);
    await caller.thread.delete({ threadId: threadId });
    for (const table of ["checkpoints", "checkpoint_blobs", "checkpoint_writes"]) {
      const { rows } = await t.pool.query(`SELECT count(*)::int AS n FROM langgraph.${table} WHERE thread_id = $1`, [threadId]);
      expect({ table, n: rows[0].n }).toEqual({ table, n: 0 });
    }
  });
});
