import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it, vi } from "vitest";
import { captureLogs } from "@/server/observability/log";
import { httpError, scriptedModel } from "@/scripts/testing/fake-model";
import { createPool } from "@/db/client";
import { freePort } from "@/scripts/lib/free-port";
import { buildAgentGraph, isTransient } from "./graph";
import { createOfflineModel, deriveTitle, findExpression } from "./offline-model";
import { basicTools } from "./tools";

const fastRetry = { maxAttempts: 3, initialInterval: 1, maxInterval: 2, jitter: false };
const ask = (text: string) => ({ messages: [new HumanMessage(text)] });

describe("agent graph", () => {
  it("routes a tool call to the tools node and back to the model", async () => {
    const { model, stats } = scriptedModel([{ toolCalls: [{ name: "calculator", args: { expression: "12*7" } }] }, { text: "It is 84." }]);
    const graph = buildAgentGraph({ model, tools: basicTools });
    const { messages } = await graph.invoke(ask("what is 12*7?"));
    expect(messages.map((m) => m.getType())).toEqual(["human", "ai", "tool", "ai"]);
    expect((messages[2] as ToolMessage).content).toBe("84");
    expect(messages[3]!.content).toBe("It is 84.");
    expect(stats.calls).toBe(2);
  });

  it("waits for approval on a call to an MCP tool it does not have right now (its server was never reached): it may be back when the call runs", async () => {
    const { model } = scriptedModel([
      {
        toolCalls: [
          { name: "docs__write", args: { text: "x" } },
          { name: "calculator", args: { expression: "1+1" } },
        ],
      },
    ]);
    const graph = buildAgentGraph({ model, tools: basicTools, checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "mcp-not-listed" } };
    await graph.invoke(ask("write x"), config);
    const state = await graph.getState(config);
    expect(state.tasks.flatMap((task) => task.interrupts.map((i) => i.value))).toEqual([
      { kind: "approval", requests: [expect.objectContaining({ name: "docs__write" })] },
    ]);
  });

  it("returns a tool's failure to the model instead of failing the run", async () => {
    const { model } = scriptedModel([
      {
        toolCalls: [
          { name: "calculator", args: { expression: "1/0" } },
          { name: "current_time", args: { timezone: "Mars/Olympus" } },
        ],
      },
      { text: "Both failed." },
    ]);
    const { messages } = await buildAgentGraph({ model, tools: basicTools }).invoke(ask("break things"));
    const results = messages.filter((m) => ToolMessage.isInstance(m)).map((m) => m.content);
    expect(results).toEqual(["Error: Division by zero", expect.stringContaining('"Mars/Olympus" is not a known IANA time zone')]);
    expect(messages.at(-1)!.content).toBe("Both failed.");
  });

  it("stops a model that keeps calling tools, answering every pending call", async () => {
    const loop = { toolCalls: [{ name: "calculator", args: { expression: "1+1" } }] };
    const { model, stats } = scriptedModel(Array(10).fill(loop));
    const { messages } = await buildAgentGraph({ model, tools: basicTools, maxToolRounds: 3 }).invoke(ask("loop"));
    expect(stats.calls).toBe(4);
    const last = messages.at(-1)!;
    expect(last.content).toMatch(/^I stopped after 3 rounds of tool calls/);
    const calls = messages.flatMap((m) => (AIMessage.isInstance(m) ? (m.tool_calls ?? []) : []));
    const answered = new Set(messages.filter((m) => ToolMessage.isInstance(m)).map((m) => (m as ToolMessage).tool_call_id));
    expect(calls.every((c) => answered.has(c.id!))).toBe(true);
  });

  it("retries transient failures (429, 5xx, connection reset) and then succeeds", async () => {
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    const { model, stats } = scriptedModel([httpError(429), httpError(503), { text: "made it" }]);
    const graph = buildAgentGraph({ model, tools: basicTools, retry: { ...fastRetry, retryOn: isTransient } });
    expect((await graph.invoke(ask("hi"))).messages.at(-1)!.content).toBe("made it");
    expect(stats.calls).toBe(3);

    const again = scriptedModel([reset, { text: "ok" }]);
    const g2 = buildAgentGraph({ model: again.model, tools: basicTools, retry: { ...fastRetry, retryOn: isTransient } });
    expect((await g2.invoke(ask("hi"))).messages.at(-1)!.content).toBe("ok");
  });

  it("logs each retry as a warning in the app's log, and nothing on the console", async () => {
    const { model } = scriptedModel([httpError(503), httpError(429), { text: "made it" }]);
    const consoleLog = vi.spyOn(console, "log");
    const logs = captureLogs();
    let printed: unknown[][];
    try {
      await buildAgentGraph({ model, tools: basicTools, retry: fastRetry }).invoke(ask("hi"));
    } finally {
      logs.stop();
      // Restoring the spy also forgets its calls.
      printed = [...consoleLog.mock.calls];
      consoleLog.mockRestore();
    }
    const retries = logs.lines.filter((l) => l.msg === "model call failed; retrying");
    expect(retries.map((l) => [l.level, l.node, l.reason])).toEqual([
      [40, "model", "HTTP 503"],
      [40, "model", "HTTP 429"],
    ]);
    expect(printed).toEqual([]);
  });

  it("gives up after the last retry, keeping the user's message in the checkpoint", async () => {
    const { model, stats } = scriptedModel([httpError(500), httpError(500), httpError(500)]);
    const checkpointer = new MemorySaver();
    const graph = buildAgentGraph({ model, tools: basicTools, checkpointer, retry: { ...fastRetry, retryOn: isTransient } });
    const config = { configurable: { thread_id: "t1" } };
    await expect(graph.invoke(ask("hello?"), config)).rejects.toMatchObject({ status: 500 });
    expect(stats.calls).toBe(3);
    const state = await graph.getState(config);
    expect(state.values.messages.map((m: HumanMessage) => m.content)).toEqual(["hello?"]);
  });

  it("does not retry a client error such as 400", async () => {
    const { model, stats } = scriptedModel([httpError(400), { text: "never" }]);
    const graph = buildAgentGraph({ model, tools: basicTools, retry: { ...fastRetry, retryOn: isTransient } });
    await expect(graph.invoke(ask("hi"))).rejects.toMatchObject({ status: 400 });
    expect(stats.calls).toBe(1);
  });

  it("does not retry for a database that cannot be reached: a refused connection to Postgres is not the provider's", async () => {
    const pool = createPool(`postgres://postgres@127.0.0.1:${await freePort()}/nothing`, { connectTimeoutMs: 2_000 });
    const refused = await pool.query("SELECT 1").then(
      () => null,
      (err: unknown) => err,
    );
    await pool.end();
    expect(refused).toMatchObject({ code: "ECONNREFUSED" });
    expect(isTransient(refused)).toBe(false);
    // The same code from anywhere else (a provider's connection) is still worth another try.
    expect(isTransient(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe(true);
  });

  it("times out a model call that stalls, and retries it", async () => {
    const { model, stats } = scriptedModel([{ text: "slow answer" }, { text: "quick" }], 200);
    // 2 tokens at 200 ms each cannot finish in 100 ms; the retry gets the same pace but a new script step.
    const graph = buildAgentGraph({ model, tools: basicTools, modelTimeoutMs: 100, retry: { ...fastRetry, maxAttempts: 2, retryOn: isTransient } });
    await expect(graph.invoke(ask("hi"))).rejects.toThrow("The model did not answer within 100 ms");
    expect(stats.calls).toBe(2);
  });
});

describe("offline model", () => {
  const offline = () => buildAgentGraph({ model: createOfflineModel(0), tools: basicTools });

  it("uses the calculator for arithmetic and answers from its result", async () => {
    const { messages } = await offline().invoke(ask("what is 12*7?"));
    expect((messages[1] as AIMessage).tool_calls?.[0]).toMatchObject({ name: "calculator", args: { expression: "12*7" } });
    expect(messages.at(-1)!.content).toBe("12*7 = **84**");
  });

  it("uses current_time for time questions, with a time zone when given", async () => {
    const { messages } = await offline().invoke(ask("What time is it in Asia/Tokyo?"));
    expect((messages[1] as AIMessage).tool_calls?.[0]).toMatchObject({ name: "current_time", args: { timezone: "Asia/Tokyo" } });
    expect(messages.at(-1)!.content).toMatch(/^It is \*\*.+\(Asia\/Tokyo\)\*\*\.$/);
  });

  it("describes itself and how to connect a real model otherwise, deterministically", async () => {
    const a = await offline().invoke(ask("hello there"));
    const b = await offline().invoke(ask("hello there"));
    expect(a.messages.at(-1)!.content).toContain("offline demo model");
    expect(a.messages.at(-1)!.content).toContain("OPENAI_API_KEY");
    expect(a.messages.at(-1)!.content).toBe(b.messages.at(-1)!.content);
  });

  it("finds arithmetic in a sentence and derives short titles", () => {
    expect(findExpression("what is 12*7?")).toBe("12*7");
    expect(findExpression("compute (3 + 4) × 2 please")).toBe("(3 + 4) × 2");
    expect(findExpression("I have 3 cats")).toBeNull();
    expect(deriveTitle("  what is the capital of France and why is it there?")).toBe("What is the capital of France");
    expect(deriveTitle("hi!")).toBe("Hi");
    expect(deriveTitle("what is (1234 + 766) * 3?")).toBe("What is (1234 + 766)");
  });

  it("streams its answer token by token", async () => {
    const chunks: string[] = [];
    for await (const [chunk] of await offline().stream(ask("hello"), { streamMode: "messages" })) {
      if (typeof chunk.content === "string" && chunk.content) chunks.push(chunk.content);
    }
    expect(chunks.length).toBeGreaterThan(20);
    expect(chunks.join("")).toContain("offline demo model");
  });
});
