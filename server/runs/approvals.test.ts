import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb, createPool } from "@/db/client";
import { testAgent } from "@/scripts/testing/agent";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { failure } from "@/scripts/testing/failure";
import { subscribeEvents } from "@/scripts/testing/events";
import { sessionFor, signedInCaller, testContext } from "@/scripts/testing/users";
import { createCaller } from "@/server/trpc/root";
import { decide } from "./approvals";
import { resumeRun } from "./execute";
import { claimStaleRuns } from "./store";

const t = testDatabaseForFile();

type Caller = Awaited<ReturnType<typeof signedInCaller>>["caller"];

/** Sends a message and waits for its run to end; returns how it ended. */
async function ask(caller: Caller, text: string, threadId?: string) {
  const sent = await caller.chat.send({ threadId, text });
  const events = await subscribeEvents(caller, sent.runId);
  return { ...sent, end: events.at(-1)!.event };
}

async function finish(caller: Caller, runId: string | null) {
  expect(runId).not.toBeNull();
  return (await subscribeEvents(caller, runId!)).at(-1)!.event;
}

const notesOf = async (userId: string) =>
  (await t.pool.query("SELECT text FROM memories WHERE user_id = $1 ORDER BY created_at", [userId])).rows.map((r) => r.text);

describe("approvals", () => {
  it("pauses before remember, holds the thread for a decision, and runs the tool once it is approved", async () => {
    const { caller, user } = await signedInCaller(t);
    const { threadId, end } = await ask(caller, "Remember that the spare key is under the mat");
    expect(end).toEqual({ type: "run-end", status: "paused", error: null });
    const paused = await caller.thread.messages({ threadId: threadId });
    expect(paused.activeRunId).toBeNull();
    expect(paused.interrupted).toBe(false);
    expect(paused.approvals).toMatchObject([{ name: "remember", args: { text: "the spare key is under the mat", kind: "fact" }, status: "pending" }]);
    expect(await notesOf(user.id)).toEqual([]);

    // Nothing else goes on in the thread until the action is decided.
    expect((await failure(caller.chat.send({ threadId, text: "hello" }))).message).toBe("The agent is waiting for your decision on its request");
    expect((await failure(caller.chat.retry({ threadId }))).code).toBe("CONFLICT");

    const toolCallId = paused.approvals[0]!.toolCallId;
    const decided = await caller.chat.decide({ threadId, toolCallId, decision: { type: "approve" } });
    expect(decided.status).toBe("approved");
    expect(await finish(caller, decided.runId)).toMatchObject({ status: "succeeded" });
    expect(await notesOf(user.id)).toEqual(["the spare key is under the mat"]);

    const after = await caller.thread.messages({ threadId: threadId });
    expect(after.approvals).toEqual([]);
    expect(after.messages[1]).toMatchObject({
      role: "assistant",
      parts: [
        { type: "tool", name: "remember", approval: { status: "approved" }, result: { isError: false } },
        { type: "text", text: expect.stringContaining("the spare key is under the mat") },
      ],
    });
    expect((await failure(caller.chat.decide({ threadId, toolCallId, decision: { type: "reject" } }))).message).toBe("Already decided: approved");

    // And recall reads it back, with no approval needed.
    const listed = await ask(caller, "what are my notes?", threadId);
    expect(listed.end).toMatchObject({ status: "succeeded" });
    expect(JSON.stringify((await caller.thread.messages({ threadId: threadId })).messages.at(-1))).toContain("the spare key is under the mat");
  });

  it("runs an edited action with the user's arguments, and refuses arguments the tool would not accept", async () => {
    const { caller, user } = await signedInCaller(t);
    const { threadId } = await ask(caller, "remember that milk is low");
    const [pending] = (await caller.thread.messages({ threadId: threadId })).approvals;
    const bad = await failure(caller.chat.decide({ threadId, toolCallId: pending!.toolCallId, decision: { type: "edit", args: { text: "  " } } }));
    expect([bad.code, bad.message]).toEqual(["BAD_REQUEST", "The memory cannot be empty"]);
    const decided = await caller.chat.decide({
      threadId,
      toolCallId: pending!.toolCallId,
      decision: { type: "edit", args: { text: "oat milk is low", kind: "fact" } },
    });
    expect(await finish(caller, decided.runId)).toMatchObject({ status: "succeeded" });
    expect(await notesOf(user.id)).toEqual(["oat milk is low"]);
    const { messages } = await caller.thread.messages({ threadId: threadId });
    expect(messages[1]).toMatchObject({ parts: [{ type: "tool", args: { text: "oat milk is low" }, approval: { status: "edited" } }, { type: "text" }] });
  });

  it("tells the model a rejected action was rejected, with the user's reason, and runs nothing", async () => {
    const { caller, user } = await signedInCaller(t);
    const { threadId } = await ask(caller, "remember that my PIN is 1234");
    const [pending] = (await caller.thread.messages({ threadId: threadId })).approvals;
    const decided = await caller.chat.decide({ threadId, toolCallId: pending!.toolCallId, decision: { type: "reject", reason: "never store my PIN" } });
    expect(await finish(caller, decided.runId)).toMatchObject({ status: "succeeded" });
    expect(await notesOf(user.id)).toEqual([]);
    const { messages } = await caller.thread.messages({ threadId: threadId });
    expect(messages[1]).toMatchObject({
      parts: [
        {
          type: "tool",
          approval: { status: "rejected", reason: "never store my PIN" },
          result: { isError: true, content: expect.stringContaining("never store my PIN") },
        },
        { type: "text", text: expect.stringContaining("never store my PIN") },
      ],
    });
  });

  it("waits for every action of one step to be decided, then resumes once with all the decisions", async () => {
    const { caller, user } = await signedInCaller(t);
    const { threadId } = await ask(caller, "Remember that the boiler is serviced in May. Remember that the bins go out on Tuesday.");
    const pending = (await caller.thread.messages({ threadId: threadId })).approvals;
    expect(pending.map((a) => a.args.text)).toEqual(["the boiler is serviced in May", "the bins go out on Tuesday"]);
    const first = await caller.chat.decide({ threadId, toolCallId: pending[0]!.toolCallId, decision: { type: "reject" } });
    expect(first.runId).toBeNull();
    expect((await caller.thread.messages({ threadId: threadId })).approvals.map((a) => a.status)).toEqual(["rejected", "pending"]);
    const second = await caller.chat.decide({ threadId, toolCallId: pending[1]!.toolCallId, decision: { type: "approve" } });
    expect(await finish(caller, second.runId)).toMatchObject({ status: "succeeded" });
    expect(await notesOf(user.id)).toEqual(["the bins go out on Tuesday"]);
  });

  it("applies a decision exactly once when 10 approvals race from two server instances", async () => {
    const { caller, user } = await signedInCaller(t);
    const { threadId } = await ask(caller, "remember that the gate code is 4321");
    const [pending] = (await caller.thread.messages({ threadId: threadId })).approvals;
    const otherPool = createPool(t.url);
    const other = createCaller(testContext({ db: createDb(otherPool), pool: otherPool }, sessionFor(user.id), testAgent(otherPool)));
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? other : caller).chat.decide({ threadId, toolCallId: pending!.toolCallId, decision: { type: "approve" } }),
        ),
      );
      const ok = results.filter((r) => r.status === "fulfilled");
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => (r.reason as TRPCError).message);
      expect(ok).toHaveLength(1);
      expect(refused).toEqual(Array(9).fill("Already decided: approved"));
      const { runId } = (ok[0] as PromiseFulfilledResult<{ runId: string | null }>).value;
      expect(await finish(caller, runId)).toMatchObject({ status: "succeeded" });
      expect(await notesOf(user.id)).toEqual(["the gate code is 4321"]);
      const { rows } = await t.pool.query("SELECT count(*)::int AS n FROM runs WHERE thread_id = $1", [threadId]);
      expect(rows[0].n).toBe(2); // the one that paused, and the one the decision started
    } finally {
      await otherPool.end();
    }
  });

  it("survives a server restart: a pending approval is decided on a fresh instance, and a decision whose server died is carried out once", async () => {
    const { caller, user } = await signedInCaller(t);
    const first = await ask(caller, "remember that the dentist is on Friday");
    // A restarted server: new pool, new agent, nothing in memory.
    const pool = createPool(t.url);
    const restarted = createCaller(testContext({ db: createDb(pool), pool }, sessionFor(user.id), testAgent(pool)));
    try {
      const [pending] = (await restarted.thread.messages({ threadId: first.threadId })).approvals;
      const decided = await restarted.chat.decide({ threadId: first.threadId, toolCallId: pending!.toolCallId, decision: { type: "approve" } });
      expect(await finish(restarted, decided.runId)).toMatchObject({ status: "succeeded" });
      expect(await notesOf(user.id)).toEqual(["the dentist is on Friday"]);

      // The server dies right after a decision commits, before it starts the graph: the run it
      // created goes stale, another instance takes it over and resumes with the recorded decision.
      const second = await ask(caller, "remember that the car needs oil", first.threadId);
      expect(second.end).toMatchObject({ status: "paused" });
      const [next] = (await caller.thread.messages({ threadId: first.threadId })).approvals;
      const { resume } = await decide(t.db, { userId: user.id, threadId: first.threadId, toolCallId: next!.toolCallId, decision: { type: "approve" } });
      await t.db.execute(sql`UPDATE runs SET heartbeat_at = now() - interval '1 hour', owner_instance = 'dead' WHERE id = ${resume!.run.id}`);
      for (const run of await claimStaleRuns(t.db, 1_000, 100)) await resumeRun(t.db, testAgent(pool), run);
      expect(await finish(restarted, resume!.run.id)).toMatchObject({ status: "succeeded" });
      expect(await notesOf(user.id)).toEqual(["the dentist is on Friday", "the car needs oil"]);
    } finally {
      await pool.end();
    }
  });

  it("keeps another user's pending action out of reach, as if it did not exist", async () => {
    const owner = await signedInCaller(t);
    const other = await signedInCaller(t);
    const { threadId } = await ask(owner.caller, "remember that this is mine");
    const [pending] = (await owner.caller.thread.messages({ threadId: threadId })).approvals;
    const err = await failure(other.caller.chat.decide({ threadId, toolCallId: pending!.toolCallId, decision: { type: "approve" } }));
    expect([err.code, err.message]).toEqual(["NOT_FOUND", "Conversation not found"]);
    const unknown = await failure(owner.caller.chat.decide({ threadId, toolCallId: "call_nope", decision: { type: "approve" } }));
    expect(unknown.code).toBe("NOT_FOUND");
  });
});
