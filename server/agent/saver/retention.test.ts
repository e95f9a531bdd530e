import { describe, expect, it } from "vitest";
import type { UiMessage } from "@/lib/messages";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { subscribeEvents } from "@/scripts/testing/events";
import { settingsPerTest } from "@/scripts/testing/settings";
import { signedInCaller } from "@/scripts/testing/users";
import { CHECKPOINT_SCHEMA } from "../checkpointer";
import { compactThread } from "./retention";

const t = testDatabaseForFile();
const set = settingsPerTest();

type Caller = Awaited<ReturnType<typeof signedInCaller>>["caller"];

async function finish(caller: Caller, started: Promise<{ runId: string | null }> | { runId: string | null }) {
  const { runId } = await started;
  return (await subscribeEvents(caller, runId!)).at(-1)!.event;
}

/**
 * What a user can see of a thread, with ids replaced by the order they first appear in: the shown
 * branch (texts, tools, approvals, versions) and what waits for a decision.
 */
async function seen(caller: Caller, threadId: string) {
  const { messages, approvals, interrupted, activeRunId } = await caller.thread.messages({ threadId });
  const ids = new Map<string, number>();
  const id = (x: string | null | undefined) => (x ? (ids.get(x) ?? ids.set(x, ids.size).get(x)!) : null);
  const part = (p: Extract<UiMessage, { role: "assistant" }>["parts"][number]) =>
    p.type === "text" ? p.text : p.type === "step" ? { step: p.label } : { tool: p.name, args: p.args, result: p.result, approval: p.approval ?? null };
  return {
    messages: messages.map((m) => ({
      id: id(m.id),
      role: m.role,
      content: m.role === "user" ? m.text : m.parts.map(part),
      stopped: m.role === "assistant" ? m.stopped : false,
      branch: m.branch && { index: m.branch.index, count: m.branch.count, previous: id(m.branch.previousId), next: id(m.branch.nextId) },
    })),
    approvals: approvals.map((a) => ({ name: a.name, args: a.args, status: a.status })),
    interrupted,
    answering: activeRunId !== null,
  };
}

const checkpointIds = async (threadId: string) =>
  (await t.pool.query(`SELECT checkpoint_id FROM ${CHECKPOINT_SCHEMA}.checkpoints WHERE thread_id = $1 ORDER BY checkpoint_id`, [threadId])).rows.map(
    (r) => r.checkpoint_id as string,
  );

/** The checkpoints the retention policy must keep: branches' bases and tips, and the latest. */
async function mustKeep(threadId: string) {
  const { rows } = await t.pool.query(
    `SELECT base_checkpoint_id AS id FROM message_branches WHERE thread_id = $1 AND base_checkpoint_id IS NOT NULL
     UNION SELECT leaf_checkpoint_id FROM message_branches WHERE thread_id = $1 AND leaf_checkpoint_id IS NOT NULL`,
    [threadId],
  );
  return new Set([...rows.map((r) => r.id as string), (await checkpointIds(threadId)).at(-1)!]);
}

/**
 * One conversation's life: messages, an edit, a regenerate, branch switches, an approval, an edit of
 * the first message. `compactFrom`: the step from which CHECKPOINT_RETENTION=turn holds (null:
 * never), so compaction starts on a thread that has history. After each step, what the user sees.
 */
async function story(compactFrom: number | null) {
  const { caller } = await signedInCaller(t);
  set({ CHECKPOINT_RETENTION: "all" });
  let threadId = "";
  const views: Awaited<ReturnType<typeof seen>>[] = [];
  const messages = async () => (await caller.thread.messages({ threadId })).messages;
  // Each step that runs an answer resolves to its ending; a branch switch, to nothing.
  const steps: (() => Promise<unknown>)[] = [
    async () => {
      const sent = await caller.chat.send({ text: "what is 2+2?" });
      threadId = sent.threadId;
      return finish(caller, sent);
    },
    () => finish(caller, caller.chat.send({ threadId, text: "what is 3+3?" })),
    () => finish(caller, caller.chat.send({ threadId, text: "what is 7*6?" })),
    async () => finish(caller, caller.chat.edit({ threadId, messageId: (await messages())[2]!.id, text: "what is 5+5?" })),
    async () => finish(caller, caller.chat.regenerate({ threadId, messageId: (await messages())[3]!.id })),
    async () => void (await caller.thread.switchBranch({ threadId, messageId: (await messages())[2]!.branch!.previousId! })),
    () => finish(caller, caller.chat.send({ threadId, text: "Remember that the spare key is under the mat" })),
    async () => {
      const [pending] = (await caller.thread.messages({ threadId })).approvals;
      return finish(caller, caller.chat.decide({ threadId, toolCallId: pending!.toolCallId, decision: { type: "approve" } }));
    },
    async () => finish(caller, caller.chat.edit({ threadId, messageId: (await messages())[0]!.id, text: "what is 9-1?" })),
    async () => void (await caller.thread.switchBranch({ threadId, messageId: (await messages())[0]!.branch!.previousId! })),
    () => finish(caller, caller.chat.send({ threadId, text: "what is 10/4?" })),
  ];
  let compacted = 0;
  for (const [i, step] of steps.entries()) {
    if (i === compactFrom) set({ CHECKPOINT_RETENTION: "turn" });
    const ranAnswer = (await step()) !== undefined;
    if (compactFrom !== null && i >= compactFrom && ranAnswer) {
      // Compaction runs in the background once an answer's ending is saved (a branch switch runs
      // nothing, and waits for the next answer): wait until only what must stay is left.
      const keep = await mustKeep(threadId);
      await expect.poll(async () => (await checkpointIds(threadId)).filter((id) => !keep.has(id))).toEqual([]);
      compacted++;
    }
    views.push(await seen(caller, threadId));
  }
  return { views, threadId, compacted, checkpoints: (await checkpointIds(threadId)).length };
}

describe("checkpoint retention", () => {
  it("a thread compacted from the middle of its life shows exactly what an uncompacted one does, at every step", async () => {
    const full = await story(null);
    const compacted = await story(2);
    expect(compacted.compacted).toBeGreaterThan(5);
    for (const [i, view] of full.views.entries()) expect(compacted.views[i], `after step ${i + 1}`).toEqual(view);
    // The story did what it says: versions, a decided approval, nothing left answering.
    expect(full.views.at(-1)!.messages[0]!.branch).toMatchObject({ index: 0, count: 2 });
    expect(full.views.flatMap((v) => v.approvals.map((a) => a.status))).toContain("pending");
    expect(full.views.at(-1)).toMatchObject({ interrupted: false, answering: false });
    // …and it kept a fraction of the checkpoints.
    console.log(`checkpoints kept: ${compacted.checkpoints} of the ${full.checkpoints} an uncompacted thread holds`);
    expect(compacted.checkpoints).toBeLessThan(full.checkpoints / 2);
  }, 60_000);

  it("keeps a pending approval's checkpoint and writes, so it is decided after compaction exactly as before", async () => {
    const { caller } = await signedInCaller(t);
    const sent = await caller.chat.send({ text: "Remember that the spare key is under the mat" });
    expect(await finish(caller, sent)).toMatchObject({ status: "paused" });
    const before = await seen(caller, sent.threadId);
    await compactThread(t.db, CHECKPOINT_SCHEMA, sent.threadId);
    expect(await seen(caller, sent.threadId)).toEqual(before);
    const [pending] = (await caller.thread.messages({ threadId: sent.threadId })).approvals;
    const decided = await caller.chat.decide({ threadId: sent.threadId, toolCallId: pending!.toolCallId, decision: { type: "approve" } });
    expect(await finish(caller, decided)).toMatchObject({ status: "succeeded" });
    const after = await seen(caller, sent.threadId);
    expect(after.approvals).toEqual([]);
    expect(after.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : []))).toContainEqual(
      expect.objectContaining({ tool: "remember", approval: expect.objectContaining({ status: "approved" }) }),
    );
  });

  it("touches nothing while a run holds the thread, and a second pass finds nothing", async () => {
    const { caller } = await signedInCaller(t);
    set({ CHECKPOINT_RETENTION: "all" });
    const sent = await caller.chat.send({ text: "what is 2+2?" });
    await finish(caller, sent);
    await t.pool.query("UPDATE runs SET status = 'running', finished_at = NULL WHERE id = $1", [sent.runId]);
    expect(await compactThread(t.db, CHECKPOINT_SCHEMA, sent.threadId)).toEqual({ checkpoints: 0, blobs: 0 });
    await t.pool.query("UPDATE runs SET status = 'succeeded', finished_at = now() WHERE id = $1", [sent.runId]);
    expect((await compactThread(t.db, CHECKPOINT_SCHEMA, sent.threadId)).checkpoints).toBeGreaterThan(0);
    expect(await compactThread(t.db, CHECKPOINT_SCHEMA, sent.threadId)).toEqual({ checkpoints: 0, blobs: 0 });
  });
});
