import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import type { RunEvent } from "@/lib/run-events";
import { testAgent } from "@/scripts/testing/agent";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { type ChatRequest, type FakeReply, startFakeOpenAI } from "@/scripts/testing/openai-server";
import { signedInCaller } from "@/scripts/testing/users";
import { createCheckpointer } from "./checkpointer";
import { buildAgentGraph, isTransient } from "./graph";
import { parseConfig } from "@/server/config";
import { chooseModel } from "./model";
import { basicTools } from "./tools";

const t = testDatabaseForFile();

const fastRetry = { maxAttempts: 3, initialInterval: 5, maxInterval: 10, jitter: false, retryOn: isTransient };
const isTitleRequest = (req: ChatRequest) => JSON.stringify(req.messages[0]?.content ?? "").includes("Write a title");

/** The real @langchain/openai provider, chosen from the environment the way the app does. */
async function openaiModel(url: string) {
  const choice = chooseModel(parseConfig({ OPENAI_BASE_URL: url, OPENAI_API_KEY: "sk-test", LLM_MODEL: "fake-model" }));
  expect(choice).toMatchObject({ provider: "openai", model: "fake-model" });
  return choice.create();
}

async function withServer(reply: (req: ChatRequest, n: number) => FakeReply, fn: (server: Awaited<ReturnType<typeof startFakeOpenAI>>) => Promise<void>) {
  const server = await startFakeOpenAI(reply);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

describe("the OpenAI provider against an OpenAI-compatible server", () => {
  it("streams text, calls tools with arguments split across chunks, and checkpoints in Postgres", async () => {
    await withServer(
      (req) =>
        req.messages.at(-1)?.role === "tool"
          ? { text: "The product is **84**, as the calculator says." }
          : { toolCalls: [{ name: "calculator", args: { expression: "12*7" } }] },
      async (server) => {
        const graph = buildAgentGraph({ model: await openaiModel(server.url), tools: basicTools, checkpointer: createCheckpointer(t.pool), retry: fastRetry });
        const config = { configurable: { thread_id: crypto.randomUUID() } };
        const tokens: string[] = [];
        for await (const [message, meta] of await graph.stream({ messages: [new HumanMessage("what is 12*7?")] }, { ...config, streamMode: "messages" })) {
          if (meta.langgraph_node === "model" && typeof message.content === "string" && message.content) tokens.push(message.content);
        }
        expect(tokens.length).toBeGreaterThan(5);
        expect(tokens.join("")).toBe("The product is **84**, as the calculator says.");

        const state = await graph.getState(config);
        const types = state.values.messages.map((m: HumanMessage) => m.getType());
        expect(types).toEqual(["human", "ai", "tool", "ai"]);
        expect(state.values.messages[2].content).toBe("84");
        expect(state.values.messages[1].usage_metadata).toMatchObject({ input_tokens: 11, output_tokens: 7 });

        // What went over the wire: the tools on offer, then the tool's result sent back.
        expect(server.requests[0]!.tools?.map((tool) => tool.function.name)).toEqual(["calculator", "current_time"]);
        expect(server.requests[0]!.stream).toBe(true);
        expect(server.requests[1]!.messages.at(-1)).toMatchObject({ role: "tool", content: "84" });

        const { rows } = await t.pool.query("SELECT count(*)::int AS n FROM langgraph.checkpoints WHERE thread_id = $1", [config.configurable.thread_id]);
        expect(rows[0].n).toBeGreaterThanOrEqual(4);
      },
    );
  });

  it("retries a 429 and a 500, then answers", async () => {
    await withServer(
      (_req, n) => (n === 1 ? { status: 429 } : n === 2 ? { status: 500 } : { text: "Third time lucky." }),
      async (server) => {
        const graph = buildAgentGraph({ model: await openaiModel(server.url), tools: basicTools, retry: fastRetry });
        const { messages } = await graph.invoke({ messages: [new HumanMessage("hi")] });
        expect(messages.at(-1)?.content).toBe("Third time lucky.");
        expect(server.requests).toHaveLength(3);
      },
    );
  });

  it("times out a stalled stream and retries it", async () => {
    await withServer(
      (_req, n) => (n === 1 ? { stall: true } : { text: "Back on track." }),
      async (server) => {
        const graph = buildAgentGraph({ model: await openaiModel(server.url), tools: basicTools, modelTimeoutMs: 500, retry: fastRetry });
        const { messages } = await graph.invoke({ messages: [new HumanMessage("hi")] });
        expect(messages.at(-1)?.content).toBe("Back on track.");
        expect(server.requests).toHaveLength(2);
      },
    );
  });

  it("fails the run with a plain reason after the last retry; the message stays and the thread stays usable", async () => {
    let failing = true;
    await withServer(
      (req) => (isTitleRequest(req) ? { text: "Greeting" } : failing ? { status: 500 } : { text: "Working again." }),
      async (server) => {
        const agent = testAgent(t.pool, await openaiModel(server.url), { provider: "openai", retry: fastRetry });
        const { caller } = await signedInCaller(t, agent);
        const { threadId, runId } = await caller.chat.send({ text: "hello?" });
        const events: RunEvent[] = [];
        for await (const item of await caller.chat.events({ runId })) events.push((item as unknown as [string, RunEvent])[1]);
        expect(events.at(-1)).toEqual({ type: "run-end", status: "failed", error: "The model provider had a server error (500), even after retrying." });
        expect(server.requests.filter((r) => !isTitleRequest(r))).toHaveLength(3);
        expect((await caller.thread.messages({ threadId: threadId })).messages).toEqual([expect.objectContaining({ role: "user", text: "hello?" })]);

        failing = false;
        const next = await caller.chat.send({ threadId, text: "and now?" });
        for await (const _ of await caller.chat.events({ runId: next.runId })) void _;
        const after = await caller.thread.messages({ threadId: threadId });
        expect(after.messages.map((m) => m.role)).toEqual(["user", "user", "assistant"]);
        expect(after.messages.at(-1)).toMatchObject({ parts: [{ type: "text", text: "Working again." }] });
        // A real provider titles the thread itself.
        expect((await caller.thread.get({ threadId: threadId })).title).toBe("Greeting");
      },
    );
  });
});
