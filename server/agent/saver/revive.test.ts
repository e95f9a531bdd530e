import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { JsonPlusSerializer } from "@langchain/langgraph-checkpoint";
import { describe, expect, it } from "vitest";
import { COMPACT_TYPE, compactMessage, reviveMessage, SHORT_TYPE } from "./revive";

const serde = new JsonPlusSerializer();
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("reviving stored messages", () => {
  const samples = [
    new HumanMessage({ id: "u1", content: "what is 2+2?" }),
    new HumanMessage({ id: "u2", content: [{ type: "text", text: "parts" }] }),
    new SystemMessage({ id: "s1", content: "be brief" }),
    new AIMessage({
      id: "a1",
      content: "",
      tool_calls: [{ id: "c1", name: "calculator", args: { expression: "2+2" }, type: "tool_call" }],
      usage_metadata: { input_tokens: 10, output_tokens: 3, total_tokens: 13 },
      response_metadata: { context_tokens: 42, stopped: true },
    }),
    new ToolMessage({ id: "t1", tool_call_id: "c1", name: "calculator", content: "4", status: "error" }),
  ];

  it.each(samples.map((m) => [m.getType(), m] as const))("rebuilds a %s exactly as the serializer would", async (_kind, message) => {
    const [type, bytes] = await serde.dumpsTyped(message);
    const fast = reviveMessage(type, bytes);
    const slow = await serde.loadsTyped(type, bytes);
    expect(fast).not.toBeNull();
    expect(fast!.constructor).toBe(slow.constructor);
    expect(text((await serde.dumpsTyped(fast))[1])).toBe(text((await serde.dumpsTyped(slow))[1]));
  });

  it("leaves anything unusual to the serializer", async () => {
    const [type, bytes] = await serde.dumpsTyped({ messages: [] });
    expect(reviveMessage(type, bytes)).toBeNull();
    const nested = new AIMessage({ id: "a2", content: "x", additional_kwargs: { inner: new HumanMessage("nested") } });
    const [t2, b2] = await serde.dumpsTyped(nested);
    expect(reviveMessage(t2, b2)).toBeNull();
  });

  it.each(samples.map((m) => [m.getType(), m] as const))("stores a %s compactly, and revives it as the serializer would have", async (_kind, message) => {
    const compact = compactMessage(message);
    expect(compact).not.toBeNull();
    const [type, bytes] = compact!;
    const [, full] = await serde.dumpsTyped(message);
    expect(bytes.byteLength).toBeLessThan(full.byteLength);
    const revived = reviveMessage(type, bytes)!;
    expect(revived.constructor).toBe(message.constructor);
    expect(text((await serde.dumpsTyped(revived))[1])).toBe(text(full));
    // Stored again, the revived message has the same bytes: its payload key does not change.
    expect(text(compactMessage(revived)![1])).toBe(text(bytes));
  });

  it("leaves nested LangChain objects to the serializer", () => {
    expect(compactMessage(new AIMessage({ id: "a3", content: "x", additional_kwargs: { inner: new HumanMessage("nested") } }))).toBeNull();
  });

  it("stores the names every message repeats as short codes", () => {
    const answer = samples[3]!;
    const [type, bytes] = compactMessage(answer)!;
    expect(type).toBe(SHORT_TYPE);
    const { lc, id, kwargs } = JSON.parse(JSON.stringify(answer)) as { lc: number; id: string[]; kwargs: Record<string, unknown> };
    expect(lc).toBe(1);
    const uncoded = JSON.stringify({ c: id[2], k: kwargs });
    expect(bytes.byteLength).toBeLessThan(uncoded.length * 0.75);
    for (const name of ["tool_calls", "usage_metadata", "input_tokens", "response_metadata", "context_tokens", "AIMessage"])
      expect(text(bytes)).not.toContain(name);
  });

  it("stores a message whose own names collide with the codes in the uncoded form, and revives it exactly", async () => {
    const odd = new AIMessage({ id: "a4", content: "x", response_metadata: { c: "a provider's own field", context_tokens: 3 } });
    const [type, bytes] = compactMessage(odd)!;
    expect(type).toBe(COMPACT_TYPE);
    const revived = reviveMessage(type, bytes)!;
    expect(text((await serde.dumpsTyped(revived))[1])).toBe(text((await serde.dumpsTyped(odd))[1]));
  });

  it("still reads messages stored in the uncoded compact form", async () => {
    const stored = Buffer.from(JSON.stringify({ c: "AIMessage", k: { id: "a5", content: "from an older version", response_metadata: { context_tokens: 7 } } }));
    const revived = reviveMessage(COMPACT_TYPE, stored)!;
    expect(revived).toBeInstanceOf(AIMessage);
    expect(revived.content).toBe("from an older version");
    expect(revived.response_metadata).toEqual({ context_tokens: 7 });
  });
});
