import { describe, expect, it } from "vitest";
import { testAgent } from "@/scripts/testing/agent";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { signedInCaller } from "@/scripts/testing/users";
import type { UiMessage } from "@/lib/messages";
import { readConversation } from "./conversation";
import { writeConversation } from "./write";

const t = testDatabaseForFile();

/** The error a promise is rejected with. */
const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable("it was expected to fail"),
    (err: Error) => err,
  );

const user = (id: string, text: string): UiMessage => ({ id, role: "user", text });
const answer = (id: string, text: string): UiMessage => ({
  id,
  role: "assistant",
  parts: [{ type: "text", text }],
  stopped: false,
  usage: { input: 3, output: 4 },
});

/** Rows of every table a conversation writes, the checkpointer's included. */
async function rowCounts() {
  const { rows } = await t.pool.query<{ n: number }>(`
    SELECT (SELECT count(*) FROM threads) + (SELECT count(*) FROM message_branches) + (SELECT count(*) FROM message_search)
         + (SELECT count(*) FROM langgraph.checkpoints) + (SELECT count(*) FROM langgraph.checkpoint_blobs)
         + (SELECT count(*) FROM langgraph.message_nodes) + (SELECT count(*) FROM langgraph.message_payloads) AS n`);
  return Number(rows[0]!.n);
}

describe("writing a conversation", () => {
  it("writes every branch, switchable like native ones, showing the branch asked for", async () => {
    const { caller, user: owner } = await signedInCaller(t);
    const agent = testAgent(t.pool);
    const nodes = [
      { parentId: null, message: user("u1", "first question") },
      { parentId: "u1", message: answer("a1", "first answer") },
      { parentId: "u1", message: answer("a1b", "second answer") },
      { parentId: "a1b", message: user("u2", "follow-up") },
    ];
    const thread = await writeConversation(t.db, agent, owner.id, { title: "Imported", nodes, currentId: "a1" });
    const shown = await caller.thread.messages({ threadId: thread.id });
    expect(shown.messages.map((m) => m.id)).toEqual(["u1", "a1"]);
    expect(shown.messages[1]!.branch).toMatchObject({ index: 0, count: 2, nextId: "a1b" });
    await caller.thread.switchBranch({ threadId: thread.id, messageId: "a1b" });
    expect((await caller.thread.messages({ threadId: thread.id })).messages.map((m) => m.id)).toEqual(["u1", "a1b", "u2"]);
    const tree = await readConversation(t.db, agent, thread.id);
    expect(tree.nodes.map((n) => [n.message.id, n.parentId])).toEqual(nodes.map((n) => [n.message.id, n.parentId]));
    expect(tree.nodes.map((n) => n.message)).toEqual(nodes.map((n) => n.message));
  });

  it("is one transaction: a failure part way leaves no thread, no checkpoint, no row", async () => {
    const { user: owner } = await signedInCaller(t);
    const agent = testAgent(t.pool);
    const real = agent.graph.updateState.bind(agent.graph);
    let calls = 0;
    agent.graph.updateState = (async (...args: Parameters<typeof real>) => {
      if (++calls === 4) throw new Error("the database went away");
      return real(...args);
    }) as typeof real;
    const before = await rowCounts();
    const nodes = [
      { parentId: null, message: user("u1", "first question") },
      { parentId: "u1", message: answer("a1", "first answer") },
      { parentId: "a1", message: user("u2", "second question") },
      { parentId: "u2", message: answer("a2", "second answer") },
    ];
    expect((await failure(writeConversation(t.db, agent, owner.id, { title: "Half", nodes, currentId: null }))).message).toBe("the database went away");
    expect(calls).toBe(4);
    expect(await rowCounts()).toBe(before);
  });

  it("refuses a tree that is not one before writing anything", async () => {
    const { user: owner } = await signedInCaller(t);
    const agent = testAgent(t.pool);
    const before = await rowCounts();
    const write = (nodes: { parentId: string | null; message: UiMessage }[], currentId: string | null = null) =>
      failure(writeConversation(t.db, agent, owner.id, { title: "Bad", nodes, currentId }));
    expect((await write([{ parentId: "nowhere", message: user("u1", "x") }])).message).toBe("Message u1 follows a message that is not before it (nowhere)");
    expect(
      (
        await write([
          { parentId: null, message: user("u1", "x") },
          { parentId: null, message: user("u1", "y") },
        ])
      ).message,
    ).toBe("Message id u1 appears twice");
    expect(
      (
        await write([
          { parentId: null, message: answer("a1", "x") },
          { parentId: "a1", message: answer("a2", "y") },
        ])
      ).message,
    ).toBe("Answer a2 follows another answer");
    expect((await write([{ parentId: null, message: user("u1", "x") }], "u9")).message).toBe("The current message u9 is not in the conversation");
    expect(await rowCounts()).toBe(before);
  });
});
