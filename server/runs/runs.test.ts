import { HumanMessage } from "@langchain/core/messages";
import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb, createPool } from "@/db/client";
import { runs } from "@/db/schema";
import { createOfflineModel } from "@/server/agent/offline-model";
import { registryOf, testAgent } from "@/scripts/testing/agent";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { collect, subscribeEvents } from "@/scripts/testing/events";
import { signedInCaller, testContext, sessionFor } from "@/scripts/testing/users";
import { createCaller } from "@/server/trpc/root";
import type { RunEvent, SequencedEvent } from "@/lib/run-events";
import { resumeRun } from "./execute";
import { followRun } from "./follow";
import { notificationHub } from "./notify";
import { localRun } from "./registry";
import { claimStaleRuns, getRun, pruneRunEvents, readEvents, requestCancel } from "./store";
import { startRunWorkers } from "./workers";
import { settingsPerTest } from "@/scripts/testing/settings";

const t = testDatabaseForFile();
const set = settingsPerTest();

const text = (events: SequencedEvent[]) =>
  events
    .map((e) => e.event)
    .filter((e): e is Extract<RunEvent, { type: "text-delta" }> => e.type === "text-delta")
    .map((e) => e.delta)
    .join("");

describe("runs in Postgres", () => {
  it("20 concurrent sends on one thread, through two separate connection pools, make exactly one run", async () => {
    // The whole checkpoint history stays, to show that it is one line.
    set({ CHECKPOINT_RETENTION: "all" });
    // Paced, so the first run is still answering when the last send arrives.
    const { caller, user } = await signedInCaller(t, testAgent(t.pool, createOfflineModel(10)));
    const thread = await caller.thread.create();
    const otherPool = createPool(t.url); // a second instance's connections
    const second = createCaller(testContext({ db: createDb(otherPool), pool: otherPool }, sessionFor(user.id), testAgent(otherPool, createOfflineModel(10))));
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? second : caller).chat.send({ threadId: thread.id, text: `message ${i}` })),
      );
      const ok = results.filter((r) => r.status === "fulfilled");
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(ok).toHaveLength(1);
      expect(refused.map((r) => [(r.reason as TRPCError).code, (r.reason as TRPCError).message])).toEqual(
        Array(19).fill(["CONFLICT", "Still answering the previous message"]),
      );
      const { rows } = await t.pool.query("SELECT count(*)::int AS n FROM runs WHERE thread_id = $1", [thread.id]);
      expect(rows[0].n).toBe(1);

      const runId = (ok[0] as PromiseFulfilledResult<{ runId: string }>).value.runId;
      await collect(followRun(t.db, runId, 0));
      // The checkpoint history is one line: every checkpoint but the first has the one before as parent.
      const history = await t.pool.query("SELECT checkpoint_id, parent_checkpoint_id FROM langgraph.checkpoints WHERE thread_id = $1 ORDER BY checkpoint_id", [
        thread.id,
      ]);
      const ids = history.rows.map((r) => r.checkpoint_id);
      expect(history.rows.slice(1).every((r, i) => r.parent_checkpoint_id === ids[i])).toBe(true);
      const { messages } = await caller.thread.messages({ threadId: thread.id });
      expect(messages.filter((m) => m.role === "user")).toHaveLength(1);
    } finally {
      await otherPool.end();
    }
  });

  it("a message moves its conversation to the top of the list as its run is made, before it answers", async () => {
    const { caller } = await signedInCaller(t, testAgent(t.pool, createOfflineModel(5)));
    const older = await caller.thread.create();
    const newer = await caller.thread.create();
    expect((await caller.thread.list({})).items.map((x) => x.id)).toEqual([newer.id, older.id]);
    const { runId } = await caller.chat.send({ threadId: older.id, text: "hello" });
    // What another tab that refreshes on run-started reads.
    expect((await caller.thread.list({})).items.map((x) => x.id)).toEqual([older.id, newer.id]);
    await collect(localRun(runId)!.subscribe(0));
  });

  it("is followed from Postgres exactly as it was written, with deltas coalesced, and resumes after a last event id", async () => {
    const { caller } = await signedInCaller(t, testAgent(t.pool, createOfflineModel(5)));
    const { runId, threadId } = await caller.chat.send({ text: "hello" });
    const local = localRun(runId)!;
    const [mine, remote] = await Promise.all([collect(local.subscribe(0)), collect(followRun(t.db, runId, 0))]);
    expect(remote).toEqual(mine);
    expect(remote.map((e) => e.seq)).toEqual(remote.map((_, i) => i + 1));
    expect(remote.at(-1)!.event).toMatchObject({ type: "run-end", status: "succeeded" });
    // ~80 tokens at 5 ms each, in 50 ms windows: far fewer rows than tokens, and the same text.
    const deltas = remote.filter((e) => e.event.type === "text-delta").length;
    expect(deltas).toBeGreaterThan(2);
    expect(deltas).toBeLessThan(40);
    const { messages } = await caller.thread.messages({ threadId: threadId });
    expect(messages[1]).toMatchObject({ parts: [{ type: "text", text: text(remote) }] });

    const tail = await collect(followRun(t.db, runId, remote[3]!.seq));
    expect(tail).toEqual(remote.slice(4));
    expect((await getRun(t.db, runId, local.userId))?.status).toBe("succeeded");
  });

  it("keeps delivering by polling while the LISTEN connection is down", async () => {
    const { caller } = await signedInCaller(t, testAgent(t.pool, createOfflineModel(20)));
    // Another instance's follower, with a listening connection of its own (a URL of its own) to lose.
    const url = new URL(t.url);
    url.searchParams.set("application_name", "deaf-follower");
    const pool = createPool(url.toString());
    const hub = notificationHub(url.toString());
    const stop = new AbortController();
    try {
      const { runId } = await caller.chat.send({ text: "tell me about yourself" });
      const events: SequencedEvent[] = [];
      const following = (async () => {
        for await (const item of followRun(createDb(pool), runId, 0, stop.signal)) events.push(item);
      })();
      await expect.poll(() => hub.connected && events.some((e) => e.event.type === "text-delta")).toBe(true);
      // Down mid-answer, and for good: no reconnect can bring the notifications back.
      await hub.close();
      expect(hub.connected).toBe(false);
      const heardBefore = events.length;
      await expect.poll(() => events.at(-1)?.event, { timeout: 10_000 }).toMatchObject({ type: "run-end", status: "succeeded" });
      await following;
      expect(events.length).toBeGreaterThan(heardBefore + 1);
      expect(events).toEqual(await readEvents(t.db, runId, 0));
      expect(text(events)).toContain("offline demo model");
    } finally {
      stop.abort();
      await pool.end();
    }
  });

  it("keeps the user's message when Stop comes before the answer's first step", async () => {
    const { caller } = await signedInCaller(t, testAgent(t.pool, createOfflineModel(20)));
    const { threadId, runId } = await caller.chat.send({ text: "stopped at once" });
    expect(await caller.chat.stop({ threadId })).toEqual({ stopped: true });
    const events = await collect(followRun(t.db, runId, 0));
    expect(events.at(-1)!.event).toMatchObject({ type: "run-end", status: "cancelled" });
    const { messages } = await caller.thread.messages({ threadId });
    expect(messages[0]).toMatchObject({ role: "user", text: "stopped at once" });
    expect(messages.slice(1)).toMatchObject([{ role: "assistant", stopped: true }]);
  });

  it("is stopped from another instance through Postgres", async () => {
    const stop = startRunWorkers(t.db, async () => registryOf(testAgent(t.pool)));
    try {
      const { caller } = await signedInCaller(t, testAgent(t.pool, createOfflineModel(20)));
      const { runId } = await caller.chat.send({ text: "tell me about yourself" });
      const events: SequencedEvent[] = [];
      for await (const item of followRun(t.db, runId, 0)) {
        events.push(item);
        // Another instance only has the database: it records the request and notifies the owner.
        if (item.event.type === "text-delta" && events.filter((e) => e.event.type === "text-delta").length === 2) await requestCancel(t.db, runId);
      }
      expect(events.at(-1)!.event).toMatchObject({ type: "run-end", status: "cancelled" });
      expect(text(events)).not.toContain("restart Threadline");
    } finally {
      stop();
    }
  });
});

describe("event log lifetime", () => {
  it("prunes a finished run's log down to its ending after the retention time; the history keeps the turn", async () => {
    const { caller } = await signedInCaller(t);
    const done = await caller.chat.send({ text: "what is 2+2?" });
    const before = await collect(followRun(t.db, done.runId, 0));
    const paced = await signedInCaller(t, testAgent(t.pool, createOfflineModel(20)));
    const running = await paced.caller.chat.send({ text: "tell me about yourself" });
    await expect.poll(async () => (await readEvents(t.db, running.runId, 0)).length).toBeGreaterThan(1);

    await pruneRunEvents(t.db, 3_600_000); // finished just now: kept
    expect(await readEvents(t.db, done.runId, 0)).toEqual(before);
    await pruneRunEvents(t.db, 0);
    expect(await readEvents(t.db, done.runId, 0)).toEqual([before.at(-1)]);
    expect(before.at(-1)!.event).toMatchObject({ type: "run-end", status: "succeeded" });
    const row = await t.pool.query("SELECT events_pruned_at FROM runs WHERE id = $1", [done.runId]);
    expect(row.rows[0].events_pruned_at).toBeInstanceOf(Date);

    // A client coming back to it learns it ended; the conversation is whole.
    const back = await subscribeEvents(caller, done.runId, null);
    expect(back).toEqual([{ id: `${done.runId}:${before.at(-1)!.seq}`, event: before.at(-1)!.event }]);
    const { messages } = await caller.thread.messages({ threadId: done.threadId });
    expect(messages).toMatchObject([{ role: "user", text: "what is 2+2?" }, { role: "assistant" }]);
    expect(JSON.stringify(messages[1])).toContain("4");

    // A run still answering is untouched, and its log is complete once it ends.
    const events = await collect(followRun(t.db, running.runId, 0));
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)!.event).toMatchObject({ type: "run-end", status: "succeeded" });
  });
});

describe("activity", () => {
  it("reaches only its own user's stream: creates, renames, runs starting and ending", async () => {
    const a = await signedInCaller(t);
    const b = await signedInCaller(t);
    const thread = await a.caller.thread.create();
    const stream = (await a.caller.thread.activity())[Symbol.asyncIterator]();
    const seen: { threadId: string; kind: string }[] = [];
    // Reads until `kind` arrives for A's thread; A's own earlier activity may arrive first, which is fine.
    const until = async (kind: string) => {
      for (;;) {
        const item = (await stream.next()).value as { threadId: string; kind: string };
        seen.push(item);
        if (item.threadId === thread.id && item.kind === kind) return;
      }
    };
    const renamed = until("thread-renamed");
    const others = await b.caller.thread.create(); // someone else's: must never arrive
    await a.caller.thread.rename({ threadId: thread.id, title: "Mine" });
    await renamed;
    const { runId } = await a.caller.chat.send({ threadId: thread.id, text: "hi" });
    await until("run-started");
    await collect(followRun(t.db, runId, 0));
    await until("run-ended");
    await stream.return?.(undefined);
    expect(seen.some((e) => e.threadId === others.id)).toBe(false);
    expect(seen.every((e) => e.threadId === thread.id)).toBe(true);
  });
});

describe("recovery of runs whose instance died", () => {
  /** A run as a crashed instance leaves it: running, owned by a process that is gone, heartbeat old. */
  async function orphan(events: RunEvent[], message = "what is 6*7?") {
    const { caller, user } = await signedInCaller(t);
    const thread = await caller.thread.create();
    const input = { id: crypto.randomUUID(), text: message };
    const [run] = await t.db
      .insert(runs)
      .values({
        threadId: thread.id,
        userId: user.id,
        status: "running",
        input,
        ownerInstance: "dead-host:1:abc",
        startedAt: sql`now()`,
        heartbeatAt: sql`now() - interval '1 hour'`,
      })
      .returning();
    for (const [i, event] of events.entries()) {
      await t.pool.query("INSERT INTO run_events (run_id, seq, event) VALUES ($1, $2, $3)", [run!.id, i + 1, JSON.stringify(event)]);
    }
    return { caller, run: run!, thread, input };
  }

  it("resumes a run that stopped between steps, keeping the user's message and the event numbering", async () => {
    const { caller, run, thread, input } = await orphan([{ type: "run-start", userMessage: { id: "x", text: "what is 6*7?" } }]);
    const claimed = await claimStaleRuns(t.db, 1_000, 100);
    expect(claimed.map((r) => r.id)).toContain(run.id);
    for (const r of claimed) await resumeRun(t.db, testAgent(t.pool), r);
    const events = await collect(followRun(t.db, run.id, 0));
    expect(events[0]!.event.type).toBe("run-start");
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)!.event).toMatchObject({ type: "run-end", status: "succeeded" });
    const { messages } = await caller.thread.messages({ threadId: thread.id });
    expect(messages).toMatchObject([{ role: "user", text: input.text, id: input.id }, { role: "assistant" }]);
    expect(JSON.stringify(messages[1])).toContain("42");
    expect((await claimStaleRuns(t.db, 1_000, 100)).map((r) => r.id)).not.toContain(run.id);
  });

  it("marks a run interrupted when it died in the middle of an answer, and Continue finishes it", async () => {
    const { caller, run, thread } = await orphan(
      [
        { type: "run-start", userMessage: { id: "x", text: "hello" } },
        { type: "message-start", messageId: "m1" },
        { type: "text-delta", messageId: "m1", delta: "I'm Threadline" },
      ],
      "hello",
    );
    // The message did reach the checkpoint before the crash.
    await testAgent(t.pool).graph.updateState(
      { configurable: { thread_id: thread.id } },
      { messages: [new HumanMessage({ id: run.input!.id, content: "hello" })] },
      "__start__",
    );
    for (const r of await claimStaleRuns(t.db, 1_000, 100)) await resumeRun(t.db, testAgent(t.pool), r);
    const events = await readEvents(t.db, run.id, 0);
    expect(events.at(-1)!.event).toEqual({ type: "run-end", status: "interrupted", error: "The server stopped while this answer was being written." });
    const state = await caller.thread.messages({ threadId: thread.id });
    expect(state.activeRunId).toBeNull();
    expect(state.interrupted).toBe(true);
    expect(state.messages).toMatchObject([{ role: "user", text: "hello" }]);

    const again = await caller.chat.retry({ threadId: thread.id });
    const after = await collect(followRun(t.db, again.runId, 0));
    expect(after.at(-1)!.event).toMatchObject({ status: "succeeded" });
    expect((await caller.thread.messages({ threadId: thread.id })).messages.map((m) => m.role)).toEqual(["user", "assistant"]);
  });
});
