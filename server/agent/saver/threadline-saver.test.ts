import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { describe, expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { scriptedModel } from "@/scripts/testing/fake-model";
import { buildAgentGraph } from "../graph";
import { basicTools } from "../tools";
import { ThreadlineSaver } from "./threadline-saver";

const t = testDatabaseForFile();

const ask = (text: string) => ({ messages: [new HumanMessage({ id: crypto.randomUUID(), content: text })] });
const texts = (messages: { content: unknown }[]) => messages.map((m) => String(m.content));

describe("the Threadline saver", () => {
  it("stores each message once however long the thread, and reads back exactly what was written, from a fresh process too", async () => {
    const saver = new ThreadlineSaver(t.pool, "saver_once");
    await saver.setup();
    const replies = Array.from({ length: 30 }, (_, i) => ({ text: `answer ${i}` }));
    const graph = buildAgentGraph({ model: scriptedModel(replies).model, tools: basicTools, checkpointer: saver });
    const config = { configurable: { thread_id: crypto.randomUUID() }, durability: "sync" as const };
    for (let i = 0; i < 30; i++) await graph.invoke(ask(`question ${i}`), config);

    const { rows } = await t.pool.query("SELECT count(*)::int AS n FROM saver_once.message_payloads WHERE thread_id = $1", [config.configurable.thread_id]);
    expect(rows[0].n).toBe(60);
    const nodes = await t.pool.query(
      "SELECT count(*)::int AS n FROM saver_once.message_nodes WHERE key IN (SELECT key FROM saver_once.message_payloads WHERE thread_id = $1)",
      [config.configurable.thread_id],
    );
    expect(nodes.rows[0].n).toBe(60);

    // Another process: nothing remembered, everything read from Postgres.
    const fresh = buildAgentGraph({ model: scriptedModel([]).model, tools: basicTools, checkpointer: new ThreadlineSaver(t.pool, "saver_once") });
    const state = await fresh.getState(config);
    expect(texts(state.values.messages)).toEqual(Array.from({ length: 30 }, (_, i) => [`question ${i}`, `answer ${i}`]).flat());
    expect(state.values.messages[1]).toBeInstanceOf(AIMessage);
    // Every checkpoint of the history still reads its own messages.
    const history = [];
    for await (const snapshot of fresh.getStateHistory(config, { limit: 7 })) history.push(snapshot.values.messages?.length ?? 0);
    expect(history).toEqual([60, 59, 58, 58, 57, 56, 56]);
  });

  it("continues a thread the stock PostgresSaver wrote, keeping its history readable", async () => {
    const stock = new PostgresSaver(t.pool, undefined, { schema: "saver_upgrade" });
    await stock.setup();
    const config = { configurable: { thread_id: crypto.randomUUID() }, durability: "sync" as const };
    const before = buildAgentGraph({
      model: scriptedModel([{ text: "first answer" }, { text: "second answer" }]).model,
      tools: basicTools,
      checkpointer: stock,
    });
    await before.invoke(ask("first question"), config);
    await before.invoke(ask("second question"), config);
    const oldest = (await before.getState(config)).config;

    const ours = new ThreadlineSaver(t.pool, "saver_upgrade");
    await ours.setup();
    const after = buildAgentGraph({ model: scriptedModel([{ text: "third answer" }]).model, tools: basicTools, checkpointer: ours });
    expect(texts((await after.getState(config)).values.messages)).toEqual(["first question", "first answer", "second question", "second answer"]);
    await after.invoke(ask("third question"), config);
    expect(texts((await after.getState(config)).values.messages)).toEqual([
      "first question",
      "first answer",
      "second question",
      "second answer",
      "third question",
      "third answer",
    ]);
    // The checkpoints the stock saver wrote still read as they were.
    expect(texts((await after.getState(oldest)).values.messages)).toHaveLength(4);
  });

  it("keeps branches apart: a fork from an older checkpoint has its own messages", async () => {
    const saver = new ThreadlineSaver(t.pool, "saver_branches");
    await saver.setup();
    const graph = buildAgentGraph({ model: scriptedModel([{ text: "a1" }, { text: "a2" }, { text: "b2" }]).model, tools: basicTools, checkpointer: saver });
    const config = { configurable: { thread_id: crypto.randomUUID() }, durability: "sync" as const };
    await graph.invoke(ask("q1"), config);
    const forkPoint = (await graph.getState(config)).config;
    await graph.invoke(ask("q2"), config);
    await graph.invoke(ask("q2 edited"), { ...config, configurable: { ...forkPoint.configurable } });
    expect(texts((await graph.getState(config)).values.messages)).toEqual(["q1", "a1", "q2 edited", "b2"]);
    const fresh = buildAgentGraph({ model: scriptedModel([]).model, tools: basicTools, checkpointer: new ThreadlineSaver(t.pool, "saver_branches") });
    const branches = [];
    for await (const s of fresh.getStateHistory(config, { limit: 20 })) if (s.next.length === 0) branches.push(texts(s.values.messages ?? []).join(","));
    expect(branches).toEqual(["q1,a1,q2 edited,b2", "q1,a1,q2,a2", "q1,a1"]);
  });

  it("deletes a thread's messages and nothing of another thread's", async () => {
    const saver = new ThreadlineSaver(t.pool, "saver_delete");
    await saver.setup();
    const graph = buildAgentGraph({ model: scriptedModel([{ text: "gone" }, { text: "kept" }]).model, tools: basicTools, checkpointer: saver });
    const doomed = { configurable: { thread_id: crypto.randomUUID() }, durability: "sync" as const };
    const other = { configurable: { thread_id: crypto.randomUUID() }, durability: "sync" as const };
    await graph.invoke(ask("q"), doomed);
    await graph.invoke(ask("q"), other);
    await saver.deleteThread(doomed.configurable.thread_id);
    const { rows } = await t.pool.query<{ payloads: number; nodes: number }>(
      `SELECT (SELECT count(*)::int FROM saver_delete.message_payloads) AS payloads, (SELECT count(*)::int FROM saver_delete.message_nodes) AS nodes`,
    );
    expect(rows[0]).toEqual({ payloads: 2, nodes: 2 });
    const fresh = buildAgentGraph({ model: scriptedModel([]).model, tools: basicTools, checkpointer: new ThreadlineSaver(t.pool, "saver_delete") });
    expect(texts((await fresh.getState(other)).values.messages)).toEqual(["q", "kept"]);
  });

  it("upgrades a message tree whose nodes carried their thread, and still deletes those nodes with it", async () => {
    await t.pool.query(`CREATE SCHEMA saver_old_nodes;
      CREATE TABLE saver_old_nodes.message_nodes (node uuid PRIMARY KEY, parent uuid, key uuid NOT NULL, depth integer NOT NULL, thread_id text NOT NULL, checkpoint_ns text NOT NULL DEFAULT '');
      CREATE INDEX message_nodes_thread_idx ON saver_old_nodes.message_nodes (thread_id)`);
    const saver = new ThreadlineSaver(t.pool, "saver_old_nodes");
    await saver.setup();
    const graph = buildAgentGraph({ model: scriptedModel([{ text: "a1" }, { text: "a2" }]).model, tools: basicTools, checkpointer: saver });
    const config = { configurable: { thread_id: crypto.randomUUID() }, durability: "sync" as const };
    await graph.invoke(ask("q1"), config);
    // What an instance still running the older code writes meanwhile: nodes that name their thread.
    await t.pool.query("UPDATE saver_old_nodes.message_nodes SET thread_id = $1, checkpoint_ns = ''", [config.configurable.thread_id]);
    await graph.invoke(ask("q2"), config);
    const fresh = buildAgentGraph({ model: scriptedModel([]).model, tools: basicTools, checkpointer: new ThreadlineSaver(t.pool, "saver_old_nodes") });
    expect(texts((await fresh.getState(config)).values.messages)).toEqual(["q1", "a1", "q2", "a2"]);
    await saver.deleteThread(config.configurable.thread_id);
    const { rows } = await t.pool.query("SELECT count(*)::int AS n FROM saver_old_nodes.message_nodes");
    expect(rows[0].n).toBe(0);
  });
});
