import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { createCheckpointer } from "./checkpointer";
import { fitContext, messageTokens, modelSummarizer } from "./context";
import { buildAgentGraph } from "./graph";
import { ScriptedChatModel } from "./scripted-model";
import { scriptedModel } from "@/scripts/testing/fake-model";
import { basicTools } from "./tools";

const t = testDatabaseForFile();

/** `turns` turns of a ~200-character question and a ~400-character answer; every 5th answer uses a tool. */
function conversation(turns: number): BaseMessage[] {
  return Array.from({ length: turns }, (_, i) => {
    const q = new HumanMessage({ id: `q${i}`, content: `Question ${i}: ${"why ".repeat(48)}` });
    if (i % 5 === 4) {
      return [
        q,
        new AIMessage({ id: `c${i}`, content: "", tool_calls: [{ id: `call${i}`, name: "calculator", args: { expression: "1+1" } }] }),
        new ToolMessage({ id: `r${i}`, tool_call_id: `call${i}`, name: "calculator", content: "2" }),
        new AIMessage({ id: `a${i}`, content: `Answer ${i}: ${"because ".repeat(48)}` }),
      ];
    }
    return [q, new AIMessage({ id: `a${i}`, content: `Answer ${i}: ${"because ".repeat(48)}` })];
  }).flat();
}

describe("the context budget", () => {
  it("sends everything while it fits", async () => {
    const messages = conversation(5);
    const fit = await fitContext(messages, null, 50, 8_000);
    expect(fit.recent).toEqual(messages);
    expect(fit.summary).toBeNull();
    expect(fit.changed).toBe(false);
  });

  it("keeps the newest whole turns and folds the rest into a summary, under the budget", async () => {
    const messages = conversation(200);
    const fit = await fitContext(messages, null, 50, 2_000);
    expect(fit.tokens).toBeLessThanOrEqual(2_000);
    expect(fit.recent[0]).toBeInstanceOf(HumanMessage); // never a tool result without its call
    expect(fit.recent.at(-1)).toBe(messages.at(-1));
    expect(fit.summary!.through).toBe(messages[messages.indexOf(fit.recent[0]!) - 1]!.id);
    expect(fit.summary!.text).toContain("Question 1"); // not the oldest lines, if the summary's cap dropped them
    expect(fit.summary!.text.split("\n").every((line) => line.startsWith("- User: "))).toBe(true);
    const sent = 50 + fit.recent.reduce((n, m) => n + messageTokens(m), 0);
    expect(sent).toBeLessThan(fit.tokens);
  });

  it("updates the summary only when it must, from where it left off", async () => {
    const messages = conversation(200);
    const first = await fitContext(messages, null, 50, 2_000);
    const more = [...messages, new HumanMessage({ id: "q200", content: "one more" })];
    const next = await fitContext(more, first.summary, 50, 2_000);
    expect(next.changed).toBe(false);
    expect(next.summary).toBe(first.summary);
    expect(next.recent.at(-1)!.id).toBe("q200");

    const much = [
      ...messages,
      ...conversation(30).map((m) => Object.assign(Object.create(Object.getPrototypeOf(m)), m, { id: `later-${m.id}` }) as BaseMessage),
    ];
    const later = await fitContext(much, first.summary, 50, 2_000);
    expect(later.changed).toBe(true);
    expect(later.tokens).toBeLessThanOrEqual(2_000);
    expect(later.summary!.text).not.toBe(first.summary!.text);
  });

  it("holds every model call of a long conversation to the budget, while the state keeps every message", async () => {
    const sentSizes: number[] = [];
    const model = new ScriptedChatModel(
      (messages) => {
        sentSizes.push(messages.length);
        return { text: `Answer ${messages.length}: ${"because ".repeat(48)}` };
      },
      { tokenDelayMs: 0 },
    );
    const graph = buildAgentGraph({ model, tools: basicTools, checkpointer: createCheckpointer(t.pool), contextBudget: 1_500 });
    const config = { configurable: { thread_id: crypto.randomUUID() }, durability: "sync" as const };
    for (let i = 0; i < 40; i++) await graph.invoke({ messages: [new HumanMessage({ content: `Question ${i}: ${"why ".repeat(48)}` })] }, config);
    const state = await graph.getState(config);
    expect(state.values.messages).toHaveLength(80);
    const sent = state.values.messages.filter((m: BaseMessage) => AIMessage.isInstance(m)).map((m: AIMessage) => m.response_metadata.context_tokens as number);
    expect(sent).toHaveLength(40);
    expect(Math.max(...sent)).toBeLessThanOrEqual(1_500);
    // Older turns live on in the summary (its own oldest lines give way when it reaches its cap).
    expect(state.values.summary?.text).toMatch(/^- User: Question \d+: why/);
    // The model was sent a system message and a window of turns, not the whole conversation.
    expect(Math.max(...sentSizes)).toBeLessThan(30);
  });

  it("lets a real model write the summary, without its words streaming into the answer, and falls back to extracting when it fails", async () => {
    const asked: string[] = [];
    const summarizerModel = new ScriptedChatModel(
      (messages) => {
        asked.push(String(messages.at(-1)!.content));
        return { text: "SUMMARY: the user asked many why questions." };
      },
      { tokenDelayMs: 0 },
    );
    const answers = new ScriptedChatModel(() => ({ text: `Answer: ${"because ".repeat(48)}` }), { tokenDelayMs: 0 });
    const graph = buildAgentGraph({
      model: answers,
      tools: basicTools,
      checkpointer: createCheckpointer(t.pool),
      contextBudget: 1_500,
      summarizer: modelSummarizer(summarizerModel),
    });
    const config = { configurable: { thread_id: crypto.randomUUID() }, durability: "sync" as const };
    const streamed: string[] = [];
    for (let i = 0; i < 20; i++) {
      const stream = await graph.stream(
        { messages: [new HumanMessage({ content: `Question ${i}: ${"why ".repeat(48)}` })] },
        { ...config, streamMode: "messages" },
      );
      for await (const [chunk] of stream) streamed.push(String(chunk.content));
    }
    expect(asked.length).toBeGreaterThan(0);
    expect(asked[0]).toContain("User: Question 0");
    expect((await graph.getState(config)).values.summary?.text).toBe("SUMMARY: the user asked many why questions.");
    expect(streamed.join("")).not.toContain("SUMMARY");

    const failing = modelSummarizer(scriptedModel([new Error("provider down")]).model);
    const text = await failing("", conversation(3), 500);
    expect(text).toMatch(/^- User: Question 0/);
  });
});
