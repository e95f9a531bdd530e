import { describe, expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { succeeded } from "@/scripts/testing/events";
import { failure } from "@/scripts/testing/failure";
import { signedInCaller } from "@/scripts/testing/users";
import { readBranchTips } from "./branches";

const t = testDatabaseForFile();

type Caller = Awaited<ReturnType<typeof signedInCaller>>["caller"];

/** The shown branch, as "role:text" lines with "i/n" where a message has versions. */
async function shown(caller: Caller, threadId: string) {
  const { messages } = await caller.thread.messages({ threadId: threadId });
  return messages.map((m) => {
    const text = m.role === "user" ? m.text : m.parts.map((p) => (p.type === "text" ? p.text : p.type === "step" ? `(${p.label})` : `[${p.name}]`)).join(" ");
    return `${m.role}:${text}${m.branch && m.branch.count > 1 ? ` (${m.branch.index + 1}/${m.branch.count})` : ""}`;
  });
}

describe("branches", () => {
  it("switching back to a version brings back the branch last shown under it, not the newest one written", async () => {
    const { caller } = await signedInCaller(t);
    const threadId = await succeeded(caller, caller.chat.send({ text: "what is 2+2?" }));
    await succeeded(caller, caller.chat.send({ threadId, text: "what is 3+3?" }));
    const [first, , second] = (await caller.thread.messages({ threadId })).messages;
    await succeeded(caller, caller.chat.edit({ threadId, messageId: second!.id, text: "what is 5+5?" }));
    // Back to "3+3" under the first question, then away to a newer version of the first question.
    await caller.thread.switchBranch({ threadId, messageId: second!.id });
    await succeeded(caller, caller.chat.edit({ threadId, messageId: first!.id, text: "what is 9+9?" }));
    await caller.thread.switchBranch({ threadId, messageId: first!.id });
    expect(await shown(caller, threadId)).toEqual([
      "user:what is 2+2? (1/2)",
      "assistant:[calculator] 2+2 = **4**",
      "user:what is 3+3? (1/2)",
      "assistant:[calculator] 3+3 = **6**",
    ]);
  });

  it("reads, newest first, only the checkpoints that hold a message no branch read so far shows", async () => {
    // Turns 1 and 2 on one branch (shown: the thread's latest), then an edit of the first question.
    const rows = [
      { leaf: "1f0-a", messageId: "a1" },
      { leaf: "1f0-b", messageId: "a2" },
      { leaf: "1f0-c", messageId: "u1-edited" },
      { leaf: "1f0-c", messageId: "a1-edited" },
      { leaf: null, messageId: "u1" },
    ];
    const seen = new Set(["u1", "a1", "u2", "a2"]);
    const read: string[] = [];
    await readBranchTips(
      rows,
      (id) => seen.has(id),
      async (leaf) => {
        read.push(leaf);
        if (leaf === "1f0-c") ["u1-edited", "a1-edited"].forEach((id) => seen.add(id));
      },
    );
    expect(read).toEqual(["1f0-c"]);
  });

  it("a turn adds its own rows and leaves every earlier message's row as it was, however long the branch", async () => {
    const { caller } = await signedInCaller(t);
    const threadId = await succeeded(caller, caller.chat.send({ text: "what is 2+2?" }));
    for (const q of ["what is 3+3?", "what is 4+4?"]) await succeeded(caller, caller.chat.send({ threadId, text: q }));
    const versions = async () =>
      new Map(
        (
          await t.pool.query<{ message_id: string; v: string }>("SELECT message_id, xmin::text AS v FROM message_branches WHERE thread_id = $1", [threadId])
        ).rows.map((r) => [r.message_id, r.v]),
      );
    const before = await versions();
    await succeeded(caller, caller.chat.send({ threadId, text: "what is 5+5?" }));
    const after = await versions();
    expect(after.size).toBe(before.size + 2);
    expect([...before].filter(([id, v]) => after.get(id) !== v)).toEqual([]);
  });

  it("edits a past message into a new branch, switches back and forth, and continues the branch shown", async () => {
    const { caller } = await signedInCaller(t);
    const threadId = await succeeded(caller, caller.chat.send({ text: "what is 2+2?" }));
    await succeeded(caller, caller.chat.send({ threadId, text: "what is 3+3?" }));
    const before = await caller.thread.messages({ threadId: threadId });
    const second = before.messages[2]!;

    await succeeded(caller, caller.chat.edit({ threadId, messageId: second.id, text: "what is 5+5?" }));
    expect(await shown(caller, threadId)).toEqual([
      "user:what is 2+2?",
      "assistant:[calculator] 2+2 = **4**",
      "user:what is 5+5? (2/2)",
      "assistant:[calculator] 5+5 = **10**",
    ]);

    const edited = (await caller.thread.messages({ threadId: threadId })).messages[2]!;
    expect(edited.branch).toEqual({ index: 1, count: 2, previousId: second.id, nextId: null });
    await caller.thread.switchBranch({ threadId: threadId, messageId: edited.branch!.previousId! });
    expect(await shown(caller, threadId)).toEqual([
      "user:what is 2+2?",
      "assistant:[calculator] 2+2 = **4**",
      "user:what is 3+3? (1/2)",
      "assistant:[calculator] 3+3 = **6**",
    ]);

    // A new message continues the branch shown; switching away and back brings all of it back.
    await succeeded(caller, caller.chat.send({ threadId, text: "what is 7*6?" }));
    await caller.thread.switchBranch({ threadId: threadId, messageId: edited.id });
    expect((await shown(caller, threadId)).at(-2)).toBe("user:what is 5+5? (2/2)");
    await caller.thread.switchBranch({ threadId: threadId, messageId: second.id });
    expect(await shown(caller, threadId)).toEqual([
      "user:what is 2+2?",
      "assistant:[calculator] 2+2 = **4**",
      "user:what is 3+3? (1/2)",
      "assistant:[calculator] 3+3 = **6**",
      "user:what is 7*6?",
      "assistant:[calculator] 7*6 = **42**",
    ]);
  });

  it("regenerates an answer as a sibling: twice gives 3 / 3", async () => {
    const { caller } = await signedInCaller(t);
    const threadId = await succeeded(caller, caller.chat.send({ text: "what is 12*7?" }));
    for (let i = 0; i < 2; i++) {
      const answer = (await caller.thread.messages({ threadId: threadId })).messages[1]!;
      await succeeded(caller, caller.chat.regenerate({ threadId, messageId: answer.id }));
    }
    const { messages } = await caller.thread.messages({ threadId: threadId });
    expect(messages).toHaveLength(2);
    expect(messages[0]!.branch).toMatchObject({ count: 1 }); // the question is the same message in every version
    expect(messages[1]!.branch).toMatchObject({ index: 2, count: 3 });
    expect(await shown(caller, threadId)).toEqual(["user:what is 12*7?", "assistant:[calculator] 12*7 = **84** (3/3)"]);
  });

  it("edits the very first message, forking from the thread's empty start", async () => {
    const { caller } = await signedInCaller(t);
    const threadId = await succeeded(caller, caller.chat.send({ text: "what is 1+1?" }));
    const first = (await caller.thread.messages({ threadId: threadId })).messages[0]!;
    await succeeded(caller, caller.chat.edit({ threadId, messageId: first.id, text: "what is 9-1?" }));
    expect(await shown(caller, threadId)).toEqual(["user:what is 9-1? (2/2)", "assistant:[calculator] 9-1 = **8**"]);
  });

  it("lists the current branch of a 50-turn thread with 5 branches, with every count right", async () => {
    const { caller } = await signedInCaller(t);
    const threadId = await succeeded(caller, caller.chat.send({ text: "what is 0+1?" }));
    for (let i = 1; i < 50; i++) await succeeded(caller, caller.chat.send({ threadId, text: `what is ${i}+1?` }));
    // Five edits at different depths, each followed by a switch back to the original branch.
    for (const turn of [5, 10, 20, 30, 40]) {
      const original = (await caller.thread.messages({ threadId: threadId })).messages[turn * 2]!;
      await succeeded(caller, caller.chat.edit({ threadId, messageId: original.id, text: `what is ${turn}*100?` }));
      expect((await caller.thread.messages({ threadId: threadId })).messages).toHaveLength(turn * 2 + 2);
      await caller.thread.switchBranch({ threadId: threadId, messageId: original.id });
    }
    const versions = (messages: { branch?: { index: number; count: number } }[]) =>
      messages.flatMap((m, i) => (m.branch && m.branch.count > 1 ? [`${i}:${m.branch.index + 1}/${m.branch.count}`] : []));
    const original = await caller.thread.messages({ threadId: threadId });
    expect(original.messages).toHaveLength(100);
    expect(original.messages.at(-2)).toMatchObject({ role: "user", text: "what is 49+1?" });
    expect(versions(original.messages)).toEqual(["10:1/2", "20:1/2", "40:1/2", "60:1/2", "80:1/2"]);

    // The newest edit's branch: 40 turns as they were, then the edited 41st.
    await caller.thread.switchBranch({ threadId: threadId, messageId: original.messages[80]!.branch!.nextId! });
    const edited = await caller.thread.messages({ threadId: threadId });
    expect(edited.messages).toHaveLength(82);
    expect(edited.messages.at(-2)).toMatchObject({ role: "user", text: "what is 40*100?" });
    expect(versions(edited.messages)).toEqual(["10:1/2", "20:1/2", "40:1/2", "60:1/2", "80:2/2"]);
  }, 120_000);

  it("refuses edits of unknown or other users' messages, and deleting a thread removes every branch and checkpoint", async () => {
    const { caller } = await signedInCaller(t);
    const other = await signedInCaller(t);
    const threadId = await succeeded(caller, caller.chat.send({ text: "what is 2*3?" }));
    const [question, answer] = (await caller.thread.messages({ threadId: threadId })).messages;
    await succeeded(caller, caller.chat.edit({ threadId, messageId: question!.id, text: "what is 2*4?" }));
    const before = await shown(caller, threadId);
    const refusal = async (call: Promise<unknown>) => {
      const err = await failure(call);
      return [err.code, err.message];
    };
    // Someone else's thread is as absent as a missing one, whichever of its messages is named.
    expect(await refusal(other.caller.chat.edit({ threadId, messageId: question!.id, text: "x" }))).toEqual(["NOT_FOUND", "Conversation not found"]);
    expect(await refusal(other.caller.chat.regenerate({ threadId, messageId: answer!.id }))).toEqual(["NOT_FOUND", "Conversation not found"]);
    expect(await refusal(other.caller.thread.switchBranch({ threadId: threadId, messageId: answer!.id }))).toEqual(["NOT_FOUND", "Conversation not found"]);
    expect(await refusal(caller.chat.edit({ threadId, messageId: "msg_nope", text: "x" }))).toEqual(["NOT_FOUND", "Message not found"]);
    expect(await refusal(caller.chat.regenerate({ threadId, messageId: question!.id }))).toEqual(["NOT_FOUND", "Message not found"]); // a question is edited, not regenerated
    expect((await refusal(caller.thread.switchBranch({ threadId: threadId, messageId: "msg_nope" })))[0]).toBe("NOT_FOUND");
    // Refused, so nothing changed: the same branch shown, and no run beyond the two answered.
    expect(await shown(caller, threadId)).toEqual(before);
    expect((await t.pool.query("SELECT count(*)::int AS n FROM runs WHERE thread_id = $1", [threadId])).rows[0].n).toBe(2);

    await caller.thread.delete({ threadId: threadId });
    const left = await t.pool.query(
      "SELECT (SELECT count(*) FROM message_branches WHERE thread_id = $1)::int AS branches, (SELECT count(*) FROM langgraph.checkpoints WHERE thread_id = $1::text)::int AS checkpoints",
      [threadId],
    );
    expect(left.rows[0]).toEqual({ branches: 0, checkpoints: 0 });
  });
});
