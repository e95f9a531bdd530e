import { type BaseMessage, SystemMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { textOf } from "@/lib/text";
import { ScriptedChatModel } from "@/server/agent/scripted-model";
import { SYSTEM_PROMPT } from "@/server/agent/nodes/model";
import { createOfflineModel } from "@/server/agent/offline-model";
import { addMemory } from "@/server/memory/store";
import { testAgent } from "@/scripts/testing/agent";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { fakeEmbedder } from "@/scripts/testing/embedder";
import { subscribeEvents } from "@/scripts/testing/events";
import { failure } from "@/scripts/testing/failure";
import { signedInCaller } from "@/scripts/testing/users";

const t = testDatabaseForFile();

type Caller = Awaited<ReturnType<typeof signedInCaller>>["caller"];

const memory = (userId: string, text: string, kind: "fact" | "profile" = "fact") =>
  addMemory(t.db, userId, { kind, text, threadId: null, messageId: null, toolCallId: null, embedding: null, embeddingModel: null });

async function ask(caller: Caller, input: { text: string; threadId?: string; temporary?: boolean }) {
  const sent = await caller.chat.send(input);
  const end = (await subscribeEvents(caller, sent.runId)).at(-1)!.event;
  return { ...sent, end, state: await caller.thread.messages({ threadId: sent.threadId }) };
}

const count = async (userId: string) => (await t.pool.query("SELECT count(*)::int AS n FROM memories WHERE user_id = $1", [userId])).rows[0].n as number;

describe("the memory router", () => {
  it("lists the user's memories newest first, in pages, narrowed by what the search box holds", async () => {
    const { caller, user } = await signedInCaller(t);
    for (const text of ["I prefer metric units", "the spare key is under the mat", "100% of 5_000 is \\ a lot", "the car key is in the drawer"])
      await memory(user.id, text);
    expect((await caller.memory.list({})).items.map((m) => m.text)).toEqual([
      "the car key is in the drawer",
      "100% of 5_000 is \\ a lot",
      "the spare key is under the mat",
      "I prefer metric units",
    ]);
    // A word being typed already matches, and %, _ and \ match only themselves.
    expect((await caller.memory.list({ query: "KE" })).items.map((m) => m.text)).toEqual(["the car key is in the drawer", "the spare key is under the mat"]);
    expect((await caller.memory.list({ query: "%" })).items.map((m) => m.text)).toEqual(["100% of 5_000 is \\ a lot"]);
    expect((await caller.memory.list({ query: "5_0" })).items).toHaveLength(1);
    expect((await caller.memory.list({ query: "\\" })).items).toHaveLength(1);
    expect((await caller.memory.list({ query: "_" })).items).toHaveLength(1);
    const first = await caller.memory.list({ limit: 3 });
    const second = await caller.memory.list({ limit: 3, cursor: first.nextCursor });
    expect([...first.items, ...second.items].map((m) => m.text)).toHaveLength(4);
    expect(second.nextCursor).toBeNull();
  });

  it("edits a memory (its vector too), deletes one, and deletes all of them", async () => {
    const { embedder } = fakeEmbedder();
    const { caller, user } = await signedInCaller(t, testAgent(t.pool, createOfflineModel(0), { embedder }));
    const a = await memory(user.id, "I prefer metric units", "profile");
    const b = await memory(user.id, "the spare key is under the mat");
    await memory(user.id, "the dentist is on Friday");
    const edited = await caller.memory.update({ id: a.id, text: "  I prefer imperial units  ", kind: "profile" });
    expect(edited).toMatchObject({ id: a.id, text: "I prefer imperial units", kind: "profile" });
    expect(edited.updatedAt.getTime()).toBeGreaterThan(a.updatedAt.getTime());
    const { rows } = await t.pool.query("SELECT embedding_model FROM memories WHERE id = $1", [a.id]);
    expect(rows[0].embedding_model).toBe("fake-embedder");

    expect(await caller.memory.delete({ id: b.id })).toEqual({ id: b.id });
    expect((await failure(caller.memory.delete({ id: b.id }))).message).toBe("Memory not found");
    expect(await caller.memory.byIds({ ids: [b.id, a.id] })).toMatchObject([{ id: a.id, text: "I prefer imperial units" }]);
    expect(await caller.memory.deleteAll()).toEqual({ deleted: 2 });
    expect(await count(user.id)).toBe(0);
  });

  it("refuses an empty or oversized memory and a NUL, with the field named", async () => {
    const { caller, user } = await signedInCaller(t);
    const { id } = await memory(user.id, "something");
    expect((await failure(caller.memory.update({ id, text: "   " }))).message).toBe("text: The memory cannot be empty");
    expect((await failure(caller.memory.update({ id, text: "x".repeat(2_001) }))).message).toBe("text: A memory can be at most 2,000 characters");
    expect((await failure(caller.memory.update({ id, text: "a\u0000b" }))).message).toBe("text: The memory cannot contain NUL characters");
    expect((await failure(caller.memory.update({ id, text: "a\ud800b" }))).message).toBe("text: The memory contains characters that are not valid Unicode");
    expect((await caller.memory.update({ id, text: "y".repeat(2_000) })).text).toHaveLength(2_000);
  });

  it("turns memory off for every conversation with Use memory, and back on", async () => {
    const { caller, user } = await signedInCaller(t);
    await memory(user.id, "I prefer metric units", "profile");
    expect(await caller.memory.settings()).toEqual({ useMemory: true });
    expect(await caller.memory.setUseMemory({ useMemory: false })).toEqual({ useMemory: false });
    expect(await caller.memory.settings()).toEqual({ useMemory: false });
    const off = await ask(caller, { text: "remember that I like tea" });
    expect(off.state.approvals).toEqual([]);
    expect(off.state.messages[1]).not.toHaveProperty("memories");
    await caller.memory.setUseMemory({ useMemory: true });
    const on = await ask(caller, { text: "what units do I prefer?", threadId: off.threadId });
    expect(on.state.messages.at(-1)).toMatchObject({ memories: [expect.any(String)] });
  });
});

describe("temporary chats", () => {
  it("neither read nor write memory, and are still saved as conversations", async () => {
    const calls: { system: string; tools: string[] }[] = [];
    const model = new ScriptedChatModel(
      (messages: BaseMessage[], tools: string[]) => {
        calls.push({ system: SystemMessage.isInstance(messages[0]) ? textOf(messages[0]) : "", tools });
        return { text: "ok" };
      },
      { tokenDelayMs: 0 },
    );
    const { caller, user } = await signedInCaller(t, testAgent(t.pool, model));
    await memory(user.id, "I prefer metric units", "profile");
    const temporary = await ask(caller, { text: "what units do I prefer?", temporary: true });
    expect(calls.at(-1)).toEqual({ system: SYSTEM_PROMPT, tools: ["calculator", "current_time"] });
    expect(await caller.thread.get({ threadId: temporary.threadId })).toMatchObject({ temporary: true });
    expect(temporary.state.messages).toHaveLength(2);
    // Later messages in it stay temporary: the flag is set once, when the conversation is made.
    await ask(caller, { text: "and now?", threadId: temporary.threadId, temporary: false });
    expect(calls.at(-1)!.system).toBe(SYSTEM_PROMPT);

    const ordinary = await ask(caller, { text: "what units do I prefer?" });
    expect(await caller.thread.get({ threadId: ordinary.threadId })).toMatchObject({ temporary: false });
    expect(calls.at(-1)!.system).toContain("I prefer metric units");
    expect((await caller.thread.create({ temporary: true })).temporary).toBe(true);
  });

  it("save nothing to memory with the offline model either", async () => {
    const { caller, user } = await signedInCaller(t);
    await memory(user.id, "I prefer metric units", "profile");
    const asked = await ask(caller, { text: "remember that my sister lives in Lisbon", temporary: true });
    expect(asked.end).toMatchObject({ status: "succeeded" });
    expect(asked.state.approvals).toEqual([]);
    expect(await count(user.id)).toBe(1);
    const about = await ask(caller, { text: "what do you know about me?", threadId: asked.threadId });
    expect(JSON.stringify(about.state.messages.at(-1))).toContain("Memory is off for this conversation");
  });
});
