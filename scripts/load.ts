/**
 * npm run load [-- --users 100 --duration 60 --ramp 10 --instances 1 --quick --soak 20m --profile DIR --variant "NAME=VALUE"]:
 * the production build under N simulated users over real HTTP and SSE, and in the same run, with
 * the same driver and the same model pace, two baselines:
 * - floor: a bare Node HTTP server streaming the same tokens over SSE (bench/load/floor-server.ts);
 * - stock: graph.stream(…, { streamMode: "messages" }) on the same graph with the stock PostgresSaver
 *   (bench/load/stock-server.ts).
 * The headline is server CPU milliseconds per answer, and Threadline's ratio to each baseline: the
 * machines vary 2–3× from day to day, the ratios much less. `--users 50,100,150` runs each size.
 * `--only threadline` runs some targets. `--soak 20m` runs Threadline alone at 50 users (unless --users says otherwise) and reports how its
 * memory grows after the first 2 minutes. The offline model streams at 20 tokens/s, so its own time
 * to first token is 50 ms. Needs `npm run build` first.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { createPool } from "../db/client";
import { migrateDatabase } from "../server/migrate";
import { type LoadPlan, type LoadResult, runLoad, type Target } from "../bench/load/driver";
import { baselineTarget, threadlineTarget } from "../bench/load/targets";
import { startTestPostgres } from "./testing/postgres-server";

const flag = (name: string) => process.argv.includes(`--${name}`);
const option = (name: string) => (flag(name) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : undefined);
const number = (name: string, fallback: number) => Number(option(name) ?? fallback);
const quick = flag("quick");
const soakS = option("soak") ? Number(/^(\d+)m$/.exec(option("soak")!)?.[1] ?? Number.NaN) * 60 || Number(option("soak")) : 0;
const SIZES = (option("users") ?? (quick ? "10" : soakS ? "50" : "100")).split(",").map(Number);
const RAMP_S = number("ramp", quick ? 2 : 10);
const DURATION_S = soakS || number("duration", quick ? 10 : 60);
const INSTANCES = number("instances", 1);
/** --profile DIR: write a CPU profile of each Threadline server there (open it in Chrome DevTools). */
const PROFILE_DIR = option("profile");
const TOKEN_MS = 50; // 20 tokens/s
/** --only threadline (or floor,stock): some of the targets, e.g. to profile one. */
const ONLY = (option("only") ?? (soakS ? "threadline" : "floor,stock,threadline")).split(",");
/** --variant "NAME=VALUE …": Threadline once more in the same run, with these settings (e.g. HEAP_GROWING_PERCENT=50), to weigh one against the default. */
const VARIANT = option("variant") === undefined ? null : variantSettings(option("variant")!);

/** A value may hold spaces (NODE_OPTIONS=--a --b): pairs are split only where a NAME= follows. */
function variantSettings(text: string): Record<string, string> {
  const pairs = text.trim().split(/\s+(?=[A-Z_][A-Z0-9_]*=)/);
  if (!pairs.every((pair) => /^[A-Z_][A-Z0-9_]*=/.test(pair)))
    throw new Error('--variant takes settings as NAME=VALUE, space-separated (e.g. "HEAP_GROWING_PERCENT=50")');
  return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
}
if (SIZES.some((n) => !Number.isInteger(n) || n < 1) || !(DURATION_S > 0))
  throw new Error("--users takes whole numbers (e.g. 100 or 50,100), --duration and --soak a length (e.g. 60, 20m)");

const env = {
  OFFLINE_MODEL_DELAY_MS: String(TOKEN_MS),
  RUN_HEARTBEAT_MS: "2000",
  RUN_STALE_AFTER_MS: "10000",
  RUN_SWEEP_MS: "3000",
  LOG_LEVEL: "warn",
  DATABASE_POOL_MAX: "20",
  // Every simulated user signs in from 127.0.0.1, ten at a time.
  PASSWORD_HASH_QUEUE: "100",
  ...(PROFILE_DIR && { CPU_PROFILE_DIR: path.resolve(PROFILE_DIR) }),
  // --node-options "...": V8 flags for Threadline's servers alone (the driver keeps its own).
  ...(option("node-options") && { NODE_OPTIONS: option("node-options")! }),
};

async function main() {
  const db = await startTestPostgres();
  const admin = new pg.Client({ connectionString: db.adminUrl });
  await admin.connect();
  const made: string[] = [];
  const database = async () => {
    const name = `threadline_load_${randomBytes(4).toString("hex")}`;
    await admin.query(`CREATE DATABASE ${name}`);
    made.push(name);
    return Object.assign(new URL(db.adminUrl), { pathname: `/${name}` }).toString();
  };
  const results: LoadResult[] = [];
  try {
    for (const users of SIZES) {
      const plan: LoadPlan = { users, rampS: RAMP_S, durationS: DURATION_S, tokenMs: TOKEN_MS };
      const targets: (() => Promise<Target>)[] = [];
      if (ONLY.includes("floor")) targets.push(() => baselineTarget("floor (bare Node SSE)", "floor-server.ts", { TOKEN_MS: String(TOKEN_MS) }));
      if (ONLY.includes("stock"))
        targets.push(async () =>
          baselineTarget("stock (graph.stream + PostgresSaver)", "stock-server.ts", { TOKEN_MS: String(TOKEN_MS), DATABASE_URL: await database() }),
        );
      const threadline = (settings: Record<string, string>, label?: string) => async () => {
        const url = await database();
        const pool = createPool(url);
        try {
          await migrateDatabase(pool);
          return await threadlineTarget({ url, pool, users, instances: INSTANCES, env: { ...env, ...settings }, label });
        } finally {
          await pool.end();
        }
      };
      if (ONLY.includes("threadline")) targets.push(threadline({}));
      if (ONLY.includes("threadline") && VARIANT)
        targets.push(
          threadline(
            VARIANT,
            Object.entries(VARIANT)
              .map(([name, value]) => `${name}=${value}`)
              .join(" "),
          ),
        );
      for (const make of targets) {
        const target = await make();
        try {
          console.error(`[load] ${target.name}: ${users} users joining over ${RAMP_S} s, then measured for ${DURATION_S} s…`);
          results.push(await runLoad(target, plan));
        } finally {
          await target.stop(Boolean(PROFILE_DIR));
        }
      }
    }
    report(results);
    // As a smoke test, a run in which some target failed an answer, or finished none, fails.
    const broken = results.filter((r) => r.errors > 0 || r.answers === 0);
    if (quick && broken.length) throw new Error(`load --quick: ${broken.map((r) => `${r.target}: ${r.errors} errors, ${r.answers} answers`).join("; ")}`);
  } finally {
    for (const name of made) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    await db.stop();
  }
}

function report(results: LoadResult[]) {
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "–");
  const ours = (r: LoadResult) => r.target.startsWith("Threadline");
  const rows = [
    `| target | users | CPU ms per answer | ratio to it | answers/s | TTFT p50 / p95 / p99 (ms) | send accepted p50 / p99 (ms) | added inter-token delay p99 (ms) | errors | CPU (cores) | peak memory per server | TTFT target met |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
  ];
  for (const r of results) {
    const mine = results.find((o) => ours(o) && o.users === r.users);
    const ratio = mine && r !== mine ? `Threadline ${(mine.cpuMsPerAnswer / r.cpuMsPerAnswer).toFixed(2)}×` : "";
    rows.push(
      `| ${r.target} | ${r.users} | ${r.cpuMsPerAnswer.toFixed(1)} | ${ratio} | ${r.answersPerSecond.toFixed(1)} | ${f(r.ttftMs.p50)} / ${f(r.ttftMs.p95)} / ${f(r.ttftMs.p99)} | ${f(r.acceptedMs.p50)} / ${f(r.acceptedMs.p99)} | ${f(r.addedInterTokenDelayP99Ms)} | ${r.errors} | ${r.serverCpuCores.toFixed(2)} | ${f(r.peakMemoryMb)} MB | ${r.meetsTarget ? "yes" : "no"} |`,
    );
  }
  console.log(rows.join("\n"));
  for (const r of results) if (r.firstErrors.length) console.log(`\n${r.target}, ${r.users} users, first errors:\n${r.firstErrors.join("\n")}`);
  const growth = soakS ? soakGrowth(results.at(-1)!) : undefined;
  if (growth)
    console.log(
      `\nSoak: RSS ${f(growth.atTwoMinutesMb)} MB at 2 min, at most ${f(growth.maxAfterMb)} MB after: ${growth.percent.toFixed(1)}% growth (target ≤ 10%)`,
    );
  const name = soakS ? `load-soak-${SIZES[0]}` : quick ? "load-quick" : `load-${SIZES.join("-")}${INSTANCES > 1 ? `-x${INSTANCES}` : ""}`;
  const out = path.join(import.meta.dirname, "..", "bench", "results", `${name}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), rampS: RAMP_S, durationS: DURATION_S, instances: INSTANCES, results, growth }, null, 2)}\n`,
  );
}

/** How much the server's memory grew after its first two minutes: the soak's figure. */
function soakGrowth(r: LoadResult) {
  const after = r.rssSamplesMb.filter((s) => s.atS >= 120);
  if (after.length === 0) return undefined;
  const atTwoMinutesMb = after[0]!.mb;
  const maxAfterMb = Math.max(...after.map((s) => s.mb));
  return { atTwoMinutesMb, maxAfterMb, percent: ((maxAfterMb - atTwoMinutesMb) / atTwoMinutesMb) * 100 };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
