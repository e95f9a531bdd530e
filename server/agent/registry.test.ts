import { describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { graphWithoutToolsNode, shoutGraph } from "@/scripts/testing/custom-graph";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { subscribeEvents } from "@/scripts/testing/events";
import { signedInCaller } from "@/scripts/testing/users";
import { sql } from "drizzle-orm";
import { runs } from "@/db/schema";
import { collect } from "@/scripts/testing/events";
import { followRun } from "@/server/runs/follow";
import { takeOver } from "@/server/runs/lifecycle";
import { claimStaleRuns } from "@/server/runs/store";
import { createCheckpointer } from "./checkpointer";
import { ConfigFileError, parseThreadlineFile } from "./config-file";
import { compileGraph, GraphDefinitionError, registerGraph } from "./graphs";
import { createOfflineModel } from "./offline-model";
import { createAgentRegistry } from "./registry";

const t = testDatabaseForFile();
registerGraph(shoutGraph);

const FILE = {
  models: [
    { id: "fast", provider: "offline", label: "Fast offline" },
    { id: "careful", provider: "offline", label: "Careful offline" },
  ],
  agents: [
    { id: "helper", name: "Helper", description: "Helps.", model: "fast", models: ["fast", "careful"], tools: ["calculator"] },
    { id: "shouter", name: "Shouter", description: "Shouts, once you approve.", model: "fast", graph: "shout", memory: false },
  ],
};

const registryFor = (file: object, model?: ReturnType<typeof createOfflineModel>) =>
  createAgentRegistry(parseThreadlineFile(JSON.stringify(file), {}), {
    db: t.db,
    checkpointer: createCheckpointer(t.pool),
    embedder: null,
    servers: null,
    ...(model && { model }),
  });

type Caller = Awaited<ReturnType<typeof signedInCaller>>["caller"];
const ended = async (caller: Caller, runId: string) => (await subscribeEvents(caller, runId)).map((e) => e.event);
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: TRPCError) => ({ code: err.code, message: err.message }),
  );
const answers = async (caller: Caller, threadId: string) =>
  (await caller.thread.messages({ threadId })).messages.flatMap((m) => (m.role === "assistant" ? [{ model: m.model, label: m.modelLabel }] : []));

describe("agent registry", () => {
  it("without a file holds the built-in assistant, answering as before", async () => {
    const registry = createAgentRegistry(null, { db: t.db, checkpointer: createCheckpointer(t.pool), embedder: null, servers: null });
    expect(registry.defaultAgentId).toBe("assistant");
    expect(registry.agents[0]).toMatchObject({ id: "assistant", name: "Assistant", tools: ["calculator", "current_time", "memory"] });
    const agent = await registry.get();
    expect(agent).toMatchObject({ id: "assistant", nodes: { answer: "model", tools: "tools" }, answeredBy: { model: "offline-demo" } });
    expect(await registry.get({ agentId: "assistant" })).toBe(agent);
  });

  it("gives a new conversation the agent its first message picks, and refuses an agent that does not exist", async () => {
    const { caller } = await signedInCaller(t, registryFor(FILE));
    expect((await caller.chat.agents()).agents.map((a) => [a.id, a.name, a.models.map((m) => m.label)])).toEqual([
      ["helper", "Helper", ["Fast offline", "Careful offline"]],
      ["shouter", "Shouter", ["Fast offline"]],
    ]);
    const sent = await caller.chat.send({ text: "hello", agentId: "shouter" });
    await ended(caller, sent.runId);
    expect(await caller.thread.get({ threadId: sent.threadId })).toMatchObject({ agentId: "shouter", modelId: null });
    expect(await caller.chat.model({ threadId: sent.threadId })).toMatchObject({ agent: { id: "shouter", isDefault: false }, modelId: "fast" });

    const before = (await caller.thread.list({ limit: 50 })).items.length;
    expect(await refusal(caller.chat.send({ text: "hello", agentId: "nope" }))).toEqual({ code: "BAD_REQUEST", message: 'There is no agent "nope"' });
    expect(await refusal(caller.chat.send({ text: "hello", agentId: "Not An Id!" }))).toMatchObject({ code: "BAD_REQUEST" });
    expect(await refusal(caller.thread.create({ agentId: "nope" }))).toMatchObject({ code: "BAD_REQUEST" });
    expect((await caller.thread.list({ limit: 50 })).items.length).toBe(before);
  });

  it("answers with the conversation's model from the next message on, and each answer records its model", async () => {
    const { caller } = await signedInCaller(t, registryFor(FILE));
    const first = await caller.chat.send({ text: "what is 2+2?" });
    await ended(caller, first.runId);
    expect(await caller.chat.model({ threadId: first.threadId })).toMatchObject({ agent: { id: "helper", isDefault: true }, modelId: "fast" });
    await caller.thread.setModel({ threadId: first.threadId, modelId: "careful" });
    expect(await caller.chat.model({ threadId: first.threadId })).toMatchObject({ modelId: "careful", label: "Careful offline" });
    const second = await caller.chat.send({ threadId: first.threadId, text: "what is 3+3?" });
    await ended(caller, second.runId);
    expect(await answers(caller, first.threadId)).toEqual([
      { model: "fast", label: "Fast offline" },
      { model: "careful", label: "Careful offline" },
    ]);
    // Feedback is counted under the conversation's agent and the model that wrote the answer.
    const answer = (await caller.thread.messages({ threadId: first.threadId })).messages[3]!;
    await caller.feedback.set({ threadId: first.threadId, messageId: answer.id, rating: "good" });
    const { rows } = await t.pool.query("SELECT agent, model FROM feedback WHERE thread_id = $1", [first.threadId]);
    expect(rows).toEqual([{ agent: "helper", model: "careful" }]);

    expect(await refusal(caller.thread.setModel({ threadId: first.threadId, modelId: "nope" }))).toEqual({
      code: "BAD_REQUEST",
      message: 'Helper cannot use the model "nope" (it can use fast, careful)',
    });
    const shouting = await caller.thread.create({ agentId: "shouter" });
    expect(await refusal(caller.thread.setModel({ threadId: shouting.id, modelId: "careful" }))).toMatchObject({ code: "BAD_REQUEST" });
    expect(await caller.thread.get({ threadId: shouting.id })).toMatchObject({ modelId: null });
  });

  it("falls back to the default agent and model when the file no longer has the conversation's", async () => {
    const before = await signedInCaller(t, registryFor(FILE));
    const thread = await before.caller.thread.create({ agentId: "shouter" });
    const other = await before.caller.thread.create({ agentId: "helper" });
    await before.caller.thread.setModel({ threadId: other.id, modelId: "careful" });
    // The operator removed the Shouter and the careful model, and restarted.
    const after = registryFor({ models: [FILE.models[0]], agents: [{ ...FILE.agents[0], models: ["fast"] }] });
    const { caller } = await signedInCaller(t, after);
    await t.pool.query("UPDATE threads SET user_id = (SELECT user_id FROM threads WHERE id = $2) WHERE id = ANY($1)", [
      [thread.id, other.id],
      (await caller.thread.create({})).id,
    ]);
    for (const id of [thread.id, other.id]) {
      expect(await caller.chat.model({ threadId: id })).toMatchObject({ agent: { id: "helper" }, modelId: "fast" });
      const sent = await caller.chat.send({ threadId: id, text: "what is 5+5?" });
      expect((await ended(caller, sent.runId)).at(-1)).toMatchObject({ type: "run-end", status: "succeeded" });
      expect(await answers(caller, id)).toEqual([{ model: "fast", label: "Fast offline" }]);
    }
  });

  it("runs a developer's own graph: streamed events, its own channel read back, approvals and branches", async () => {
    const registry = registryFor(FILE);
    const { caller } = await signedInCaller(t, registry);
    const sent = await caller.chat.send({ text: "hello there", agentId: "shouter" });
    const paused = await ended(caller, sent.runId);
    expect(paused.find((e) => e.type === "tool-call")).toMatchObject({ name: "shout", args: { text: "hello there" } });
    expect(paused.at(-1)).toMatchObject({ type: "run-end", status: "paused" });
    // Read back as a reload reads it: the pending approval the cards render, and the graph's own channel.
    const shown = await caller.thread.messages({ threadId: sent.threadId });
    expect(shown.approvals).toMatchObject([{ name: "shout", args: { text: "hello there" }, status: "pending" }]);
    const agent = await registry.get({ agentId: "shouter" });
    expect((await agent.graph.getState({ configurable: { thread_id: sent.threadId } })).values).toMatchObject({ drafts: 1 });

    const decided = await caller.chat.decide({ threadId: sent.threadId, toolCallId: shown.approvals[0]!.toolCallId, decision: { type: "approve" } });
    const resumed = await ended(caller, decided.runId!);
    expect(resumed.find((e) => e.type === "tool-result")).toMatchObject({ name: "shout", content: "HELLO THERE" });
    expect(resumed.filter((e) => e.type === "text-delta").length).toBeGreaterThan(1);
    expect(resumed.at(-1)).toMatchObject({ type: "run-end", status: "succeeded" });
    expect(
      await refusal(caller.chat.decide({ threadId: sent.threadId, toolCallId: shown.approvals[0]!.toolCallId, decision: { type: "approve" } })),
    ).toMatchObject({
      code: "CONFLICT",
    });
    expect((await agent.graph.getState({ configurable: { thread_id: sent.threadId } })).values).toMatchObject({ drafts: 2 });
    expect(await answers(caller, sent.threadId)).toEqual([{ model: "fast", label: "Fast offline" }]);

    // An edit is a branch of its own; switching back shows the first one again.
    const [question] = (await caller.thread.messages({ threadId: sent.threadId })).messages;
    const edited = await caller.chat.edit({ threadId: sent.threadId, messageId: question!.id, text: "hi again" });
    expect((await ended(caller, edited.runId)).at(-1)).toMatchObject({ status: "paused" });
    const now = await caller.thread.messages({ threadId: sent.threadId });
    expect(now.messages[0]).toMatchObject({ text: "hi again", branch: { index: 1, count: 2 } });
    const approval = now.approvals.find((a) => a.status === "pending")!;
    await ended(caller, (await caller.chat.decide({ threadId: sent.threadId, toolCallId: approval.toolCallId, decision: { type: "reject" } })).runId!);
    await caller.thread.switchBranch({ threadId: sent.threadId, messageId: now.messages[0]!.branch!.previousId! });
    const back = await caller.thread.messages({ threadId: sent.threadId });
    expect(back.messages[0]).toMatchObject({ text: "hello there", branch: { index: 0, count: 2 } });
    expect(back.messages[1]).toMatchObject({
      role: "assistant",
      parts: expect.arrayContaining([expect.objectContaining({ result: { content: "HELLO THERE", isError: false } })]),
    });
  });

  it("stops a developer's graph mid-answer, writing the stopped answer as its own answer node", async () => {
    const { caller } = await signedInCaller(t, registryFor(FILE, createOfflineModel(40)));
    const sent = await caller.chat.send({ text: "please say this slowly and clearly to everyone in the room, twice over", agentId: "shouter" });
    await ended(caller, sent.runId);
    const { approvals } = await caller.thread.messages({ threadId: sent.threadId });
    const { runId } = await caller.chat.decide({ threadId: sent.threadId, toolCallId: approvals[0]!.toolCallId, decision: { type: "approve" } });
    const events = [];
    for await (const item of await caller.chat.events({ runId: runId!, lastEventId: `${runId}:0` })) {
      const [, event] = item as unknown as [string, { type: string }];
      events.push(event);
      if (event.type === "text-delta" && events.filter((e) => e.type === "text-delta").length === 2) await caller.chat.stop({ threadId: sent.threadId });
    }
    expect(events.at(-1)).toMatchObject({ type: "run-end", status: "cancelled" });
    const { messages } = await caller.thread.messages({ threadId: sent.threadId });
    expect(messages.at(-1)).toMatchObject({ role: "assistant", stopped: true, model: "fast" });
  });

  it("takes over a run whose instance died with the conversation's own agent", async () => {
    const registry = registryFor(FILE);
    const { caller, user } = await signedInCaller(t, registry);
    const thread = await caller.thread.create({ agentId: "shouter" });
    const input = { id: crypto.randomUUID(), text: "taken over" };
    const [run] = await t.db
      .insert(runs)
      .values({ threadId: thread.id, userId: user.id, status: "running", input, ownerInstance: "dead-host:1:abc", heartbeatAt: sql`now() - interval '1 hour'` })
      .returning();
    await t.pool.query("INSERT INTO run_events (run_id, seq, event) VALUES ($1, 1, $2)", [run!.id, JSON.stringify({ type: "run-start", userMessage: input })]);
    for (const r of await claimStaleRuns(t.db, 1_000, 100)) if (r.id === run!.id) await takeOver(t.db, registry, r);
    const events = (await collect(followRun(t.db, run!.id, 0))).map((e) => e.event);
    expect(events.find((e) => e.type === "tool-call")).toMatchObject({ name: "shout", args: { text: "taken over" } });
    expect(events.at(-1)).toMatchObject({ type: "run-end", status: "paused" });
  });

  it("checks a graph at registration and an agent's graph id at start, in one line each", () => {
    expect(() => registerGraph({ ...shoutGraph, build: shoutGraph.build.bind(null) })).toThrow('graph id "shout" is already registered');
    expect(() => registerGraph({ id: "Bad Id", build: shoutGraph.build })).toThrow(GraphDefinitionError);
    registerGraph(graphWithoutToolsNode);
    const context = {
      model: createOfflineModel(0),
      tools: () => [],
      maxToolRounds: 1,
      modelTimeoutMs: 1000,
      memory: null,
      labels: { provider: "t", model: "t" },
    };
    expect(() => compileGraph("no-tools-node", { ...context, answeredBy: { model: "t", label: "t" } }, createCheckpointer(t.pool))).toThrow(
      'graph "no-tools-node" has no node "tools" (set its definition\'s nodes)',
    );
    let error: unknown;
    try {
      registryFor({ agents: [{ id: "a", name: "A", graph: "nope" }] });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigFileError);
    expect((error as ConfigFileError).lines).toEqual([
      expect.stringMatching(/^threadline\.config\.json: agents\[0\]\.graph "nope" is not a registered graph \(chat, .*shout/),
    ]);
  });
});
