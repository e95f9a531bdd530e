/**
 * Another user's ids, for every procedure that takes one, are answered exactly like ids that do not
 * exist. The list of procedures comes from the router itself, so a new procedure fails this test
 * until it is given a case here.
 */
import { describe, expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { subscribeEvents } from "@/scripts/testing/events";
import { type Caller, outcome, procedures } from "@/scripts/testing/procedures";
import { signedInCaller } from "@/scripts/testing/users";
import { addMemory } from "@/server/memory/store";

const t = testDatabaseForFile();

interface Ids {
  threadId: string;
  runId: string;
  userMessageId: string;
  answerId: string;
  toolCallId: string;
  memoryId: string;
}

/** Inputs naming `ids`; null for procedures that take no one's ids (checked separately below). */
const CASES: Record<string, ((ids: Ids) => unknown) | null> = {
  "thread.list": null,
  "thread.create": null,
  "thread.activity": null,
  "chat.agents": null,
  // The user's own memories only, whatever is asked: checked below.
  "memory.list": null,
  "memory.byIds": null,
  "memory.deleteAll": null,
  "memory.settings": null,
  "memory.setUseMemory": null,
  "search.conversations": null,
  // The signed-in user's own account, whatever is asked: checked below.
  "account.get": null,
  "account.changePassword": null,
  "account.signOutEverywhere": null,
  "account.delete": null,
  // The user's own links only; a link itself is for anyone who has it (server/share/share.test.ts).
  "share.list": null,
  "share.continue": null,
  "share.ofThread": (ids) => ({ threadId: ids.threadId }),
  "share.create": (ids) => ({ threadId: ids.threadId }),
  "share.update": (ids) => ({ threadId: ids.threadId }),
  "share.stop": (ids) => ({ threadId: ids.threadId }),
  "feedback.ofThread": (ids) => ({ threadId: ids.threadId }),
  "feedback.set": (ids) => ({ threadId: ids.threadId, messageId: ids.answerId, rating: "bad", comment: "mine now" }),
  "thread.get": (ids) => ({ threadId: ids.threadId }),
  "thread.rename": (ids) => ({ threadId: ids.threadId, title: "mine now" }),
  "thread.setModel": (ids) => ({ threadId: ids.threadId, modelId: null }),
  "chat.model": (ids) => ({ threadId: ids.threadId }),
  "thread.messages": (ids) => ({ threadId: ids.threadId }),
  "thread.switchBranch": (ids) => ({ threadId: ids.threadId, messageId: ids.userMessageId }),
  "thread.delete": (ids) => ({ threadId: ids.threadId }),
  "chat.send": (ids) => ({ threadId: ids.threadId, text: "hello" }),
  "chat.retry": (ids) => ({ threadId: ids.threadId }),
  "chat.edit": (ids) => ({ threadId: ids.threadId, messageId: ids.userMessageId, text: "edited" }),
  "chat.regenerate": (ids) => ({ threadId: ids.threadId, messageId: ids.answerId }),
  "chat.decide": (ids) => ({ threadId: ids.threadId, toolCallId: ids.toolCallId, decision: { type: "approve" } }),
  "chat.stop": (ids) => ({ threadId: ids.threadId }),
  "chat.events": (ids) => ({ runId: ids.runId }),
  "memory.update": (ids) => ({ id: ids.memoryId, text: "mine now" }),
  "memory.delete": (ids) => ({ id: ids.memoryId }),
};

/** A user with a finished answer and an action waiting for approval: something of everything. */
async function owner() {
  const { caller, user } = await signedInCaller(t);
  const first = await caller.chat.send({ text: "what is 2+2?" });
  await subscribeEvents(caller, first.runId);
  const second = await caller.chat.send({ threadId: first.threadId, text: "remember that the owner was here" });
  expect((await subscribeEvents(caller, second.runId)).at(-1)!.event).toMatchObject({ status: "paused" });
  const state = await caller.thread.messages({ threadId: first.threadId });
  await caller.feedback.set({ threadId: first.threadId, messageId: state.messages[1]!.id, rating: "good" });
  await caller.share.create({ threadId: first.threadId });
  const ids: Ids = {
    threadId: first.threadId,
    runId: first.runId,
    userMessageId: state.messages[0]!.id,
    answerId: state.messages[1]!.id,
    toolCallId: state.approvals[0]!.toolCallId,
    memoryId: (
      await addMemory(t.db, user.id, {
        kind: "profile",
        text: "I prefer metric units",
        threadId: first.threadId,
        messageId: null,
        toolCallId: null,
        embedding: null,
        embeddingModel: null,
      })
    ).id,
  };
  return {
    caller,
    user,
    ids,
    snapshot: () =>
      Promise.all([
        caller.thread.get({ threadId: ids.threadId }),
        caller.thread.messages({ threadId: ids.threadId }),
        caller.memory.list({}),
        caller.memory.settings(),
        caller.feedback.ofThread({ threadId: ids.threadId }),
        caller.account.get(),
        caller.share.list(),
      ]),
  };
}

describe("ownership", () => {
  it("covers every procedure of the router", () => {
    expect(Object.keys(procedures()).sort()).toEqual(Object.keys(CASES).sort());
  });

  it("answers another user's ids exactly as missing ones, for every procedure that takes one, and changes nothing", async () => {
    const victim = await owner();
    const before = await victim.snapshot();
    const attacker: Caller = (await signedInCaller(t)).caller;
    const missing: Ids = {
      threadId: crypto.randomUUID(),
      runId: crypto.randomUUID(),
      userMessageId: "msg_missing",
      answerId: "msg_missing",
      toolCallId: "call_missing",
      memoryId: crypto.randomUUID(),
    };
    for (const [path, input] of Object.entries(CASES)) {
      if (!input) continue;
      const theirs = await outcome(attacker, path, input(victim.ids));
      const nobodys = await outcome(attacker, path, input(missing));
      expect({ path, theirs }).toEqual({ path, theirs: { code: "NOT_FOUND", message: expect.any(String) } });
      expect({ path, theirs }).toEqual({ path, theirs: nobodys });
    }
    expect(await victim.snapshot()).toEqual(before);
    expect(before[1].approvals.map((a) => a.status)).toEqual(["pending"]);
    expect(before[4]).toEqual([{ messageId: victim.ids.answerId, rating: "good", comment: null }]);
    expect(before[6]).toEqual([expect.objectContaining({ threadId: victim.ids.threadId })]);
  });

  it("reads, changes, signs out and deletes only the caller's own account, whatever email is typed", async () => {
    const victim = await owner();
    const before = await victim.snapshot();
    const { caller, user } = await signedInCaller(t);
    expect(await caller.account.get()).toEqual({ email: user.email, hasPassword: true });
    await expect(caller.account.delete({ email: victim.user.email })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.account.changePassword({ currentPassword: "correct-horse-42", newPassword: "taken-over-1" })).resolves.toEqual({ changed: true });
    await caller.account.signOutEverywhere();
    await caller.account.delete({ email: user.email });
    expect(await victim.snapshot()).toEqual(before);
    expect(before[5]).toEqual({ email: victim.user.email, hasPassword: true });
  });

  it("searches only the user's own messages and titles", async () => {
    const victim = await owner();
    await victim.caller.thread.rename({ threadId: victim.ids.threadId, title: "The owner's secret" });
    const { caller } = await signedInCaller(t);
    await caller.thread.create({ title: "the attacker's own owner" });
    for (const query of ["owner", "secret", "2+2", "remember"]) {
      const theirs = await victim.caller.search.conversations({ query });
      expect({ query, found: theirs.items.length > 0 }).toEqual({ query, found: true });
      const mine = await caller.search.conversations({ query });
      expect({ query, threads: mine.items.map((h) => h.threadId) }).toEqual({ query, threads: query === "owner" ? [expect.any(String)] : [] });
      expect(mine.items.map((h) => h.threadId)).not.toContain(victim.ids.threadId);
    }
  });

  it("lists, creates and reports the model without revealing anyone else's threads", async () => {
    const victim = await owner();
    const { caller } = await signedInCaller(t);
    await caller.thread.create({ title: "the attacker's own" });
    const { items } = await caller.thread.list({ limit: 50 });
    expect(items.map((i) => i.title)).toEqual(["the attacker's own"]);
    expect(items.map((i) => i.id)).not.toContain(victim.ids.threadId);
    expect(await caller.chat.model()).toMatchObject({ provider: "offline", agent: { id: "assistant" } });
    expect(await caller.chat.agents()).toMatchObject({ defaultAgentId: "assistant", agents: [{ id: "assistant" }] });
  });

  it("lists, finds, deletes and sets only the caller's own memories, and answers another user's memory ids as missing ones", async () => {
    const victim = await owner();
    const before = await victim.snapshot();
    expect(before[2].items.map((m) => m.id)).toEqual([victim.ids.memoryId]);
    const { caller } = await signedInCaller(t);
    expect(await caller.memory.list({ query: "metric" })).toEqual({ items: [], nextCursor: null });
    expect(await caller.memory.byIds({ ids: [victim.ids.memoryId] })).toEqual(await caller.memory.byIds({ ids: [crypto.randomUUID()] }));
    expect(await caller.memory.byIds({ ids: [victim.ids.memoryId] })).toEqual([]);
    expect(await caller.memory.deleteAll()).toEqual({ deleted: 0 });
    await caller.memory.setUseMemory({ useMemory: false });
    expect(await victim.snapshot()).toEqual(before);
    expect(before[3]).toEqual({ useMemory: true });
  });
});
