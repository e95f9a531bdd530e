/**
 * npm run bench [-- --quick] [-- --only savers,sidebar,search]: the checkpointer and the queries
 * that long conversations lean on, measured side by side with LangGraph's stock PostgresSaver in
 * the same run, on the same database; and search, beside an ILIKE scan of the same rows. Prints
 * Markdown tables and writes bench/results/latest.json (latest-quick.json with --quick; a run of
 * some sections only adds their names, e.g. latest-search.json).
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
import { compactThread } from "../server/agent/saver/retention";
import { messageBranches, threads, users } from "../db/schema";
import { contextBudget } from "../server/agent/context";
import { toUiMessages } from "../server/threads/messages";
import { listThreads } from "../server/threads/queries";
import { NAIVE_RECALL_SQL, orQuery, recallFor } from "../server/memory/recall";
import { searchConversations } from "../server/search/queries";
import { startTestPostgres } from "../scripts/testing/postgres-server";
import { fillSearchData, SEARCHER, word } from "../scripts/testing/search-data";
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
/** Search: `messages` over `users`, the searching user having `searcherMessages` of them. */
const SEARCH_PLAN = quick
  ? { users: 100, messages: 20_000, searcherMessages: 1_000, threads: 1_000, searcherThreads: 20, runs: 20 }
  : { users: 1_000, messages: 1_000_000, searcherMessages: 20_000, threads: 10_000, searcherThreads: 200, runs: 50 };

const SECTIONS = ["savers", "sidebar", "search", "recall"] as const;
type Section = (typeof SECTIONS)[number];
const onlyArg = process.argv.indexOf("--only");
const only = onlyArg >= 0 ? (process.argv[onlyArg + 1] ?? "").split(",") : null;
if (only && (only.length === 0 || only.some((s) => !SECTIONS.includes(s as Section)))) {
  console.error(`--only takes a comma-separated list of ${SECTIONS.join(", ")}`);
  process.exit(2);
}
const runs = (section: Section) => !only || only.includes(section);

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

/**
 * The thread's rows in every table of the saver's schema, by table: those with a thread_id by it,
 * and message_nodes (which has none) by the thread's payloads that its nodes place. Any other table
 * without a thread_id is an error, so that a new table is never left out of the count.
 */
async function threadBytes(pool: pg.Pool, schema: string, threadId: string) {
  const { rows: tables } = await pool.query<{ table_name: string; by_thread: boolean }>(
    `SELECT table_name, bool_or(column_name = 'thread_id') AS by_thread FROM information_schema.columns
     WHERE table_schema = $1 AND table_name <> 'checkpoint_migrations' GROUP BY table_name ORDER BY table_name`,
    [schema],
  );
  const byTable: Record<string, number> = {};
  for (const { table_name: table, by_thread: byThread } of tables) {
    if (!byThread && table !== "message_nodes") throw new Error(`bench: ${schema}.${table} has no thread_id, and its rows would go uncounted`);
    const where = byThread ? "thread_id = $1" : `key IN (SELECT key FROM ${schema}.message_payloads WHERE thread_id = $1)`;
    const { rows } = await pool.query(`SELECT coalesce(sum(pg_column_size(t.*)), 0)::bigint AS n FROM ${schema}.${table} t WHERE ${where}`, [threadId]);
    byTable[table] = Number(rows[0].n);
  }
  return { total: Object.values(byTable).reduce((a, b) => a + b, 0), byTable };
}

/**
 * What the app does after each answer with CHECKPOINT_RETENTION=turn, done outside the measured turn
 * as the app does it (in the background): the turn's base is recorded, as sending a message records
 * it in message_branches, and the checkpoints nothing can return to are dropped.
 */
async function keepTurnsOnly(db: ReturnType<typeof createDb>, schema: string, threadId: string, base: string | undefined) {
  if (base) await db.insert(messageBranches).values({ threadId, messageId: randomUUID(), parentId: null, role: "user", baseCheckpointId: base });
  await compactThread(db, schema, threadId);
}

interface Mark {
  turnMs: number;
  statements: number;
  bytes: number;
  byTable: Record<string, number>;
  rawBytes: number;
  contextTokens: number;
}

/** One long thread on a saver, a turn at a time: turn time around each mark, statements per turn, bytes stored. */
async function longThread(pool: pg.Pool, saver: Saver) {
  const graph = graphOn(saver.make(pool));
  const db = createDb(pool);
  // Ours keeps only what the app's retention keeps: its thread is a real one, for message_branches to name.
  const [user] = await db
    .insert(users)
    .values({ email: `bench-${randomUUID()}@example.com` })
    .returning();
  const [thread] = await db.insert(threads).values({ userId: user!.id, title: "bench" }).returning();
  const threadId = thread!.id;
  const compacts = saver.key === "threadline";
  const times: number[] = [];
  const marks: Record<number, Mark> = {};
  let raw = 0;
  const state = () => graph.getState({ configurable: { thread_id: threadId } });
  return {
    async turn(i: number) {
      const before = compacts ? ((await state()).config.configurable?.checkpoint_id as string | undefined) : undefined;
      const { result: ms, statements } = await countStatements(`turn ${i} with the ${saver.name}`, async () => {
        const t0 = performance.now();
        await turn(graph, threadId, i);
        return performance.now() - t0;
      });
      if (compacts) await keepTurnsOnly(db, saver.schema, threadId, before);
      times.push(ms);
      raw += question(i).length + 400;
      if (PLAN.marks.includes(i)) {
        const stored = await threadBytes(pool, saver.schema, threadId);
        const last = (await state()).values.messages.at(-1) as AIMessage;
        const contextTokens = Number(last.response_metadata.context_tokens);
        marks[i] = { turnMs: median(times.slice(-5)), statements, bytes: stored.total, byTable: stored.byTable, rawBytes: raw, contextTokens };
      }
    },
    /** Loading the thread for display, in this process and as another process's first read. */
    async loads() {
      const load = async (g: Graph) => {
        const t0 = performance.now();
        const s = await g.getState({ configurable: { thread_id: threadId } });
        toUiMessages(s.values.messages ?? []);
        return performance.now() - t0;
      };
      const warm: number[] = [];
      const cold: number[] = [];
      for (let i = 0; i < PLAN.loads; i++) {
        warm.push(await load(graph));
        // A new saver remembers nothing.
        cold.push(await load(graphOn(saver.make(pool))));
      }
      return { marks, loadMs: median(warm), coldLoadMs: median(cold) };
    },
  };
}

/** The same thread with LangGraph's in-memory saver: how much of the turn time is LangGraph's own. */
function inMemory() {
  const graph = graphOn(new MemorySaver());
  const threadId = randomUUID();
  const times: number[] = [];
  const marks: Record<number, number> = {};
  return {
    marks,
    async turn(i: number) {
      const t0 = performance.now();
      await turn(graph, threadId, i);
      times.push(performance.now() - t0);
      if (PLAN.marks.includes(i)) marks[i] = median(times.slice(-5));
    },
  };
}

/**
 * The savers' long threads (and the in-memory one) turn by turn, side by side: turn i on each
 * before turn i+1 on any, so that a machine that slows down for a minute, as these shared ones do,
 * slows every column alike instead of whichever was running then.
 */
async function longThreads(pool: pg.Pool) {
  const threads = await Promise.all(SAVERS.map((saver) => longThread(pool, saver)));
  const memory = inMemory();
  for (let i = 1; i <= PLAN.marks.at(-1)!; i++) {
    for (const thread of threads) await thread.turn(i);
    await memory.turn(i);
  }
  const loads = [];
  for (const thread of threads) loads.push(await thread.loads());
  return { bySaver: loads, inMemory: memory.marks };
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

/** The median of `runs` timed calls after a few that warm the cache. */
async function timedMedian(runs: number, fn: () => Promise<unknown>) {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times.slice(3));
}

/**
 * Search's first page for a user with many messages among very many, beside an ILIKE scan of the
 * same rows: the user's messages containing the word, newest first, a page of them. ILIKE cannot
 * rank, nor use an index for '%word%', so it reads every one of the user's messages (found through
 * the same index by user id), where search reads only the matching ones.
 */
async function search(pool: pg.Pool) {
  const db = createDb(pool);
  await fillSearchData(pool, SEARCH_PLAN);
  // A word in about one message in 130, and one in about one in 8 (see fillSearchData's skew).
  const words = { typical: word(400), common: word(5) };
  const out: Record<string, { matches: number; oursMs: number; ilikeMs: number; shown: number }> = {};
  for (const [kind, w] of Object.entries(words)) {
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM message_search WHERE user_id = $1 AND tsv @@ websearch_to_tsquery('english', $2)", [
      SEARCHER,
      w,
    ]);
    let shown = 0;
    const oursMs = await timedMedian(SEARCH_PLAN.runs, async () => {
      shown = (await searchConversations(db, SEARCHER, { query: w, limit: 20 })).items.length;
    });
    const ilikeMs = await timedMedian(SEARCH_PLAN.runs, () =>
      pool.query(
        "SELECT key, thread_id, message_id, body, created_at FROM message_search WHERE user_id = $1 AND body ILIKE $2 ORDER BY created_at DESC LIMIT 21",
        [SEARCHER, `%${w}%`],
      ),
    );
    out[kind] = { matches: rows[0].n, oursMs, ilikeMs, shown };
  }
  return out;
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
    const started = performance.now();
    const measured: Measured = {};
    if (runs("savers")) {
      for (const saver of SAVERS) await saver.make(pool).setup();
      console.error(`[bench] ${SAVERS.map((s) => s.name).join(", ")} and in memory: a thread of ${PLAN.marks.at(-1)} turns each, turn by turn…`);
      const long = await longThreads(pool);
      const results: Measured["savers"] = {};
      for (const [i, saver] of SAVERS.entries()) {
        console.error(`[bench] ${saver.name}: ${PLAN.concurrent} conversations at once…`);
        results[saver.key] = { ...long.bySaver[i]!, turnsPerSecond: await concurrent(pool, saver) };
      }
      measured.savers = results;
      measured.inMemory = long.inMemory;
    }
    if (runs("sidebar")) {
      console.error(`[bench] sidebar: ${PLAN.threads.toLocaleString("en")} threads…`);
      measured.sidebarMs = await sidebar(pool);
    }
    if (runs("search")) {
      console.error(`[bench] search: ${SEARCH_PLAN.messages.toLocaleString("en")} messages over ${SEARCH_PLAN.users.toLocaleString("en")} users…`);
      measured.search = await search(pool);
    }
    if (runs("recall")) {
      console.error(`[bench] recall: ${PLAN.memories.toLocaleString("en")} memories for one user…`);
      measured.recall = await recall(pool);
    }
    report(measured, (performance.now() - started) / 1000);
  } finally {
    // Dropping the database ends any connection still closing: expected here, not worth a log line.
    pool.removeAllListeners("error").on("error", () => {});
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    await server.stop();
  }
}

interface Measured {
  savers?: Record<string, Awaited<ReturnType<Awaited<ReturnType<typeof longThread>>["loads"]>> & { turnsPerSecond: number }>;
  inMemory?: Record<number, number>;
  sidebarMs?: number;
  search?: Awaited<ReturnType<typeof search>>;
  recall?: Awaited<ReturnType<typeof recall>>;
}

const f = (n: number, digits = 1) => n.toFixed(digits);
const markdown = (head: string[], rows: string[][]) =>
  [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

function report(measured: Measured, seconds: number) {
  const tables: string[] = [];
  if (measured.savers) tables.push(saverTable(measured.savers, measured.inMemory!));
  if (measured.sidebarMs !== undefined)
    tables.push(
      markdown(
        ["figure", "ms, median"],
        [
          [
            `sidebar first page, a user with ${PLAN.userThreads.toLocaleString("en")} of ${PLAN.threads.toLocaleString("en")} threads`,
            f(measured.sidebarMs, 2),
          ],
        ],
      ),
    );
  if (measured.search) tables.push(searchTable(measured.search));
  if (measured.recall) tables.push(recallTable(measured.recall));
  const table = tables.join("\n\n");
  console.log(`\n${table}`);
  console.log(`\n${quick ? "Quick run" : "Full run"} in ${f(seconds, 0)} s on ${process.platform}/${process.arch}, Node ${process.version}.`);
  const name = ["latest", ...(quick ? ["quick"] : []), ...(only ? [only.join("-")] : [])].join("-");
  const out = path.join(import.meta.dirname, "results", `${name}.json`);
  const plan = { ...PLAN, search: SEARCH_PLAN };
  void fs
    .mkdir(path.dirname(out), { recursive: true })
    .then(() => fs.writeFile(out, `${JSON.stringify({ date: new Date().toISOString(), quick, only, plan, ...measured, table }, null, 2)}\n`));
}

function recallTable(r: NonNullable<Measured["recall"]>) {
  return markdown(
    ["recall before a model call (ms, median)", "without the index", "Threadline recall", "without ÷ ours"],
    [
      [
        `a user with ${PLAN.memories.toLocaleString("en")} memories among ${PLAN.otherMemories.toLocaleString("en")} others' (${r.recalled} candidates read)`,
        f(r.naiveMs, 2),
        f(r.recallMs, 2),
        f(r.naiveMs / r.recallMs),
      ],
    ],
  );
}

function searchTable(results: NonNullable<Measured["search"]>) {
  const of = `${SEARCH_PLAN.searcherMessages.toLocaleString("en")} messages among ${SEARCH_PLAN.messages.toLocaleString("en")} over ${SEARCH_PLAN.users.toLocaleString("en")} users`;
  return markdown(
    ["search, first page of 20 (ms, median)", "ILIKE scan", "Threadline search", "ILIKE ÷ ours"],
    Object.entries(results).map(([kind, r]) => [
      `a ${kind} word, in ${r.matches.toLocaleString("en")} of the user's ${of}`,
      f(r.ilikeMs, 2),
      f(r.oursMs, 2),
      f(r.ilikeMs / r.oursMs),
    ]),
  );
}

function saverTable(results: NonNullable<Measured["savers"]>, memory: Record<number, number>) {
  const stock = results.stock!;
  const ours = results.threadline!;
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
  const table = markdown([`figure`, SAVERS[0]!.name, SAVERS[1]!.name, "stock ÷ ours"], rows);
  const where = (r: typeof stock) =>
    Object.entries(r.marks[lastMark]!.byTable)
      .map(([t, n]) => `${t} ${kb(n)}`)
      .join(", ");
  return `${table}\n\nBytes at turn ${lastMark}, by table. Stock: ${where(stock)}. Ours: ${where(ours)}.`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
