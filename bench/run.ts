/**
 * npm run bench [-- --quick]: the checkpointer and the queries that long conversations lean on,
 * measured side by side with LangGraph's stock PostgresSaver in the same run, on the same database.
 * Prints a Markdown table and writes bench/results/latest.json (latest-quick.json with --quick).
 */
import { type AIMessage, HumanMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { createDb, createPool } from "../db/client";
import { migrateDatabase } from "../server/migrate";
import { buildAgentGraph } from "../server/agent/graph";
import { ScriptedChatModel } from "../server/agent/scripted-model";
import { basicTools } from "../server/agent/tools";
import { createCheckpointer } from "../server/agent/checkpointer";
import { contextBudget } from "../server/agent/context";
import { toUiMessages } from "../server/threads/messages";
import { listThreads } from "../server/threads/queries";
import { NAIVE_RECALL_SQL, orQuery, recallFor } from "../server/memory/recall";
import { startTestPostgres } from "../scripts/testing/postgres-server";
import { countStatements, median, sentence } from "./lib";

const quick = process.argv.includes("--quick");
const PLAN = quick
  ? {
      marks: [10, 50],
      concurrent: 10,
      concurrentTurns: 5,
      threads: 50_000,
      userThreads: 1_000,
      loads: 10,
      pages: 20,
      memories: 10_000,
      otherMemories: 10_000,
      recalls: 100,
      naiveRecalls: 10,
    }
  : {
      marks: [10, 100, 200, 500],
      concurrent: 50,
      concurrentTurns: 10,
      threads: 1_000_000,
      userThreads: 10_000,
      loads: 20,
      pages: 50,
      memories: 10_000,
      otherMemories: 100_000,
      recalls: 500,
      naiveRecalls: 50,
    };

interface Saver {
  key: "stock" | "threadline";
  name: string;
  schema: string;
  make(pool: pg.Pool): BaseCheckpointSaver & { setup(): Promise<void> };
}
const SAVERS: Saver[] = [
  { key: "stock", name: "stock PostgresSaver", schema: "bench_stock", make: (pool) => new PostgresSaver(pool, undefined, { schema: "bench_stock" }) },
  { key: "threadline", name: "Threadline saver", schema: "bench_threadline", make: (pool) => createCheckpointer(pool, "bench_threadline") },
];

/** ~200-character questions and ~400-character answers, as in the measurements. */
const question = (i: number) => `Question ${i}: ${sentence(190, i)}`;
const answerModel = () => new ScriptedChatModel((messages) => ({ text: `Answer ${messages.length}: ${sentence(390, messages.length)}` }), { tokenDelayMs: 0 });

const graphOn = (saver: BaseCheckpointSaver) => buildAgentGraph({ model: answerModel(), tools: basicTools, checkpointer: saver });
type Graph = ReturnType<typeof graphOn>;

async function turn(graph: Graph, threadId: string, i: number) {
  await graph.invoke(
    { messages: [new HumanMessage({ id: randomUUID(), content: question(i) })] },
    { configurable: { thread_id: threadId }, durability: "sync" },
  );
}

/** The thread's rows in every table of the saver's schema that has a thread_id, by table. */
async function threadBytes(pool: pg.Pool, schema: string, threadId: string) {
  const { rows: tables } = await pool.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'thread_id' ORDER BY table_name",
    [schema],
  );
  const byTable: Record<string, number> = {};
  for (const { table_name: table } of tables) {
    const { rows } = await pool.query(`SELECT coalesce(sum(pg_column_size(t.*)), 0)::bigint AS n FROM ${schema}.${table} t WHERE thread_id = $1`, [threadId]);
    byTable[table] = Number(rows[0].n);
  }
  return { total: Object.values(byTable).reduce((a, b) => a + b, 0), byTable };
}

/** One long thread: turn time around each mark, statements per turn, bytes stored, and loading it for display. */
async function longThread(pool: pg.Pool, saver: Saver) {
  const graph = graphOn(saver.make(pool));
  const threadId = randomUUID();
  const times: number[] = [];
  const marks: Record<number, { turnMs: number; statements: number; bytes: number; byTable: Record<string, number>; rawBytes: number; contextTokens: number }> =
    {};
  let raw = 0;
  const last = PLAN.marks.at(-1)!;
  for (let i = 1; i <= last; i++) {
    const { result: ms, statements } = await countStatements(`turn ${i} with the ${saver.name}`, async () => {
      const t0 = performance.now();
      await turn(graph, threadId, i);
      return performance.now() - t0;
    });
    times.push(ms);
    raw += question(i).length + 400;
    if (PLAN.marks.includes(i)) {
      const stored = await threadBytes(pool, saver.schema, threadId);
      const last = (await graph.getState({ configurable: { thread_id: threadId } })).values.messages.at(-1) as AIMessage;
      const contextTokens = Number(last.response_metadata.context_tokens);
      marks[i] = { turnMs: median(times.slice(-5)), statements, bytes: stored.total, byTable: stored.byTable, rawBytes: raw, contextTokens };
    }
  }
  const load = async (g: Graph) => {
    const t0 = performance.now();
    const state = await g.getState({ configurable: { thread_id: threadId } });
    toUiMessages(state.values.messages ?? []);
    return performance.now() - t0;
  };
  const loads: number[] = [];
  const coldLoads: number[] = [];
  for (let i = 0; i < PLAN.loads; i++) {
    loads.push(await load(graph));
    // Another process's first read: a new saver remembers nothing.
    coldLoads.push(await load(graphOn(saver.make(pool))));
  }
  return { marks, loadMs: median(loads), coldLoadMs: median(coldLoads) };
}

/** The same thread with LangGraph's in-memory saver: how much of the turn time is LangGraph's own. */
async function inMemory() {
  const graph = graphOn(new MemorySaver());
  const threadId = randomUUID();
  const times: number[] = [];
  const marks: Record<number, number> = {};
  for (let i = 1; i <= PLAN.marks.at(-1)!; i++) {
    const t0 = performance.now();
    await turn(graph, threadId, i);
    times.push(performance.now() - t0);
    if (PLAN.marks.includes(i)) marks[i] = median(times.slice(-5));
  }
  return marks;
}

/** Many conversations at once, each one turn after another: turns per second overall. */
async function concurrent(pool: pg.Pool, saver: Saver) {
  const graph = graphOn(saver.make(pool));
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: PLAN.concurrent }, async () => {
      const threadId = randomUUID();
      for (let i = 1; i <= PLAN.concurrentTurns; i++) await turn(graph, threadId, i);
    }),
  );
  return (PLAN.concurrent * PLAN.concurrentTurns) / ((performance.now() - t0) / 1000);
}

/** The sidebar's first page for a user with many threads, in a database with very many. */
async function sidebar(pool: pg.Pool) {
  const db = createDb(pool);
  const others = 1000;
  await pool.query(`INSERT INTO "user" (id, email) SELECT 'bench-' || g, 'bench-' || g || '@example.com' FROM generate_series(0, $1) g`, [others]);
  await pool.query(
    `INSERT INTO threads (user_id, title, updated_at)
     SELECT CASE WHEN g <= $2 THEN 'bench-0' ELSE 'bench-' || (g % $3 + 1) END, 'Thread ' || g, now() - g * interval '1 second'
     FROM generate_series(1, $1) g`,
    [PLAN.threads, PLAN.userThreads, others],
  );
  await pool.query("ANALYZE threads");
  const times: number[] = [];
  for (let i = 0; i < PLAN.pages; i++) {
    const t0 = performance.now();
    await listThreads(db, "bench-0", { limit: 30 });
    times.push(performance.now() - t0);
  }
  return median(times.slice(3)); // the first few warm the cache
}

/** A vocabulary of made-up words, so that a word is as rare among memories as a real one. */
const VOCABULARY = 3_000;
const CHAT = "what do you think about my the plan for this week and how should i".split(" ");
/** A message as people write them: a few words that memories may hold, among common ones that they never decide anything. */
const message = (i: number) => [...CHAT.slice(0, 8), ...[1, 2, 3, 4].map((k) => `word${(i * 7919 + k * 104_729) % VOCABULARY}`)].join(" ");

/**
 * Recall before a model call, for a user with PLAN.memories memories (1% of them profile) among
 * other users' PLAN.otherMemories: the real function the model node calls, beside the same query
 * without its stored tsvector and index (every one of the user's facts parsed again per call).
 */
async function recall(pool: pg.Pool) {
  const others = 1000;
  await pool.query(`INSERT INTO "user" (id, email) SELECT 'mem-' || g, 'mem-' || g || '@example.com' FROM generate_series(0, $1) g`, [others]);
  await pool.query(
    `INSERT INTO memories (user_id, kind, text)
     SELECT CASE WHEN g <= $1::int THEN 'mem-0' ELSE 'mem-' || (g % $3::int + 1) END, CASE WHEN g % 100 = 0 THEN 'profile' ELSE 'fact' END,
       'I noted that ' || (SELECT string_agg('word' || ((g * 31 + k * 7877) % $4::int), ' ') FROM generate_series(1, 8) k) || ' matter to me'
     FROM generate_series(1, $1::int + $2::int) g`,
    [PLAN.memories, PLAN.otherMemories, others, VOCABULARY],
  );
  await pool.query("VACUUM ANALYZE memories");
  const time = async (fn: (i: number) => Promise<unknown>, calls: number) => {
    for (let i = 0; i < 5; i++) await fn(i); // warm the cache and the prepared statements
    const times: number[] = [];
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now();
      await fn(i);
      times.push(performance.now() - t0);
    }
    return median(times);
  };
  const recalled = (await recallFor(pool, "mem-0", message(1))).length;
  const recallMs = await time((i) => recallFor(pool, "mem-0", message(i)), PLAN.recalls);
  const naiveMs = await time((i) => pool.query(NAIVE_RECALL_SQL, ["mem-0", orQuery(message(i))]), PLAN.naiveRecalls);
  return { recallMs, naiveMs, recalled };
}

async function main() {
  const server = await startTestPostgres();
  const name = `threadline_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server.adminUrl);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString());
  try {
    await migrateDatabase(pool);
    for (const saver of SAVERS) await saver.make(pool).setup();
    const started = performance.now();
    const results: Record<string, Awaited<ReturnType<typeof longThread>> & { turnsPerSecond: number }> = {};
    for (const saver of SAVERS) {
      console.error(`[bench] ${saver.name}: one thread of ${PLAN.marks.at(-1)} turns…`);
      const long = await longThread(pool, saver);
      console.error(`[bench] ${saver.name}: ${PLAN.concurrent} conversations at once…`);
      results[saver.key] = { ...long, turnsPerSecond: await concurrent(pool, saver) };
    }
    console.error("[bench] in memory, for reference…");
    const memory = await inMemory();
    console.error(`[bench] sidebar: ${PLAN.threads.toLocaleString("en")} threads…`);
    const sidebarMs = await sidebar(pool);
    console.error(`[bench] recall: ${PLAN.memories.toLocaleString("en")} memories for one user…`);
    const recallResult = await recall(pool);
    report(results, memory, sidebarMs, recallResult, (performance.now() - started) / 1000);
  } finally {
    // Dropping the database ends any connection still closing: expected here, not worth a log line.
    pool.removeAllListeners("error").on("error", () => {});
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    await server.stop();
  }
}

function report(
  results: Record<string, Awaited<ReturnType<typeof longThread>> & { turnsPerSecond: number }>,
  memory: Record<number, number>,
  sidebarMs: number,
  recallResult: Awaited<ReturnType<typeof recall>>,
  seconds: number,
) {
  const stock = results.stock!;
  const ours = results.threadline!;
  const f = (n: number, digits = 1) => n.toFixed(digits);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const rows: [string, string, string, string][] = [];
  const first = PLAN.marks[0]!;
  const lastMark = PLAN.marks.at(-1)!;
  for (const mark of PLAN.marks) {
    const s = stock.marks[mark]!;
    const o = ours.marks[mark]!;
    rows.push([`turn time at turn ${mark} (ms, median of 5)`, f(s.turnMs), f(o.turnMs), f(s.turnMs / o.turnMs)]);
  }
  rows.push([`… in memory (MemorySaver), for reference: turns ${PLAN.marks.join(" / ")} (ms)`, PLAN.marks.map((m) => f(memory[m]!)).join(" / "), "", ""]);
  rows.push([
    `turn time, turn ${lastMark} ÷ turn ${first}`,
    f(stock.marks[lastMark]!.turnMs / stock.marks[first]!.turnMs, 2),
    f(ours.marks[lastMark]!.turnMs / ours.marks[first]!.turnMs, 2),
    "",
  ]);
  rows.push([
    `SQL statements in turn ${lastMark}`,
    String(stock.marks[lastMark]!.statements),
    String(ours.marks[lastMark]!.statements),
    f(stock.marks[lastMark]!.statements / ours.marks[lastMark]!.statements),
  ]);
  for (const mark of PLAN.marks) {
    const s = stock.marks[mark]!;
    const o = ours.marks[mark]!;
    rows.push([
      `bytes stored at turn ${mark} (raw text ${kb(o.rawBytes)})`,
      `${kb(s.bytes)} (${f(s.bytes / s.rawBytes)}× raw)`,
      `${kb(o.bytes)} (${f(o.bytes / o.rawBytes)}× raw)`,
      f(s.bytes / o.bytes),
    ]);
  }
  rows.push([
    `tokens sent to the model at turn ${lastMark} (budget ${contextBudget().toLocaleString("en")})`,
    String(stock.marks[lastMark]!.contextTokens),
    String(ours.marks[lastMark]!.contextTokens),
    "",
  ]);
  rows.push([`load a ${lastMark}-turn conversation for display (ms, median)`, f(stock.loadMs), f(ours.loadMs), f(stock.loadMs / ours.loadMs)]);
  rows.push([`… the same, first read in a fresh process (ms, median)`, f(stock.coldLoadMs), f(ours.coldLoadMs), f(stock.coldLoadMs / ours.coldLoadMs)]);
  rows.push([
    `turns per second, ${PLAN.concurrent} conversations at once`,
    f(stock.turnsPerSecond),
    f(ours.turnsPerSecond),
    f(stock.turnsPerSecond / ours.turnsPerSecond, 2),
  ]);
  rows.push([
    `sidebar first page, a user with ${PLAN.userThreads.toLocaleString("en")} of ${PLAN.threads.toLocaleString("en")} threads (ms, median)`,
    "—",
    f(sidebarMs, 2),
    "same query",
  ]);
  rows.push([
    `recall before a model call, a user with ${PLAN.memories.toLocaleString("en")} memories among ${PLAN.otherMemories.toLocaleString("en")} others' (ms, median; ${recallResult.recalled} candidates read)`,
    `${f(recallResult.naiveMs, 2)} (without the index)`,
    f(recallResult.recallMs, 2),
    f(recallResult.naiveMs / recallResult.recallMs),
  ]);

  const table = [
    `| figure | ${SAVERS[0]!.name} | ${SAVERS[1]!.name} | stock ÷ ours |`,
    "| --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
  const where = (r: typeof stock) =>
    Object.entries(r.marks[lastMark]!.byTable)
      .map(([t, n]) => `${t} ${kb(n)}`)
      .join(", ");
  console.log(`\n${table}\n\nBytes at turn ${lastMark}, by table. Stock: ${where(stock)}. Ours: ${where(ours)}.`);
  console.log(`\n${quick ? "Quick run" : "Full run"} in ${f(seconds, 0)} s on ${process.platform}/${process.arch}, Node ${process.version}.`);
  const out = path.join(import.meta.dirname, "results", quick ? "latest-quick.json" : "latest.json");
  void fs
    .mkdir(path.dirname(out), { recursive: true })
    .then(() =>
      fs.writeFile(
        out,
        `${JSON.stringify({ date: new Date().toISOString(), quick, plan: PLAN, results, inMemory: memory, sidebarMs, recall: recallResult, table }, null, 2)}\n`,
      ),
    );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
