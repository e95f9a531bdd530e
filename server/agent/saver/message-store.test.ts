import { AIMessage, type BaseMessage, HumanMessage } from "@langchain/core/messages";
import { describe, expect, it, vi } from "vitest";
import { MessageMemory, type NewNode, planPath, scopeOf } from "./message-store";

const scope = scopeOf("thread", "");
const serialize = async (m: BaseMessage): Promise<[string, Uint8Array]> => ["json", Buffer.from(JSON.stringify({ id: m.id, content: m.content }))];
const conversation = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    i % 2 ? new AIMessage({ id: `a${i}`, content: `answer ${i}` }) : new HumanMessage({ id: `u${i}`, content: `question ${i}` }),
  );

/** Plans a list and remembers it as written, as the saver does once its statement has run. */
async function store(memory: MessageMemory, lists: Map<string, BaseMessage[]>, messages: BaseMessage[]) {
  const path = await planPath(memory, scope, messages, serialize, new Map(), [], (leaf) => lists.get(leaf));
  for (const n of path.nodes) memory.rememberNode(n.message, { scope, generation: 0, node: n.node, parent: n.parent, depth: n.depth });
  lists.set(path.leaf, messages.slice());
  return path;
}

describe("planning a message list as a path", () => {
  it("finds the stored part of a long list from its end, with a lookup or two and not one per message", async () => {
    const memory = new MessageMemory();
    const lists = new Map<string, BaseMessage[]>();
    const messages = conversation(1000);
    const first = await store(memory, lists, messages);
    const lookups = vi.spyOn(memory, "node");
    const next = await store(memory, lists, [...messages, new HumanMessage({ id: "u1000", content: "one more" })]);
    expect(lookups.mock.calls.length).toBeLessThanOrEqual(2);
    expect(next.nodes.map((n: NewNode) => [n.parent, n.depth])).toEqual([[first.leaf, 1000]]);
  });

  it("stores anew from a message that was replaced in the middle, even when the list ends like the stored one", async () => {
    const memory = new MessageMemory();
    const lists = new Map<string, BaseMessage[]>();
    const messages = conversation(10);
    await store(memory, lists, messages);
    const edited = [...messages];
    edited[4] = new HumanMessage({ id: "u4", content: "question 4, corrected" });
    const path = await store(memory, lists, edited);
    expect(path.nodes.map((n) => n.depth)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(path.nodes[0]!.message).toBe(edited[4]);
  });
});
