/**
 * npm run load [-- --users 100 --duration 60 --ramp 10]: the production build under N simulated
 * users, over real HTTP and SSE. Each user signs in through Auth.js's credentials endpoint, opens a
 * thread, and sends messages in a loop, following each answer's events to its end. The offline
 * model streams at 20 tokens/s, so its own time to first token is 50 ms. Users join evenly over
 * the ramp; the figures are those of the `duration` seconds after it, when all of them are
 * chatting (errors count from the start). Needs `npm run build` first.
 */
import bcrypt from "bcryptjs";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { createPool } from "../db/client";
import { migrateDatabase } from "../server/migrate";
import { startTestPostgres } from "./testing/postgres-server";
import { clientFor, signInOverHttp, startServer } from "./testing/servers";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const USERS = arg("users", 100);
/** --profile DIR: write a CPU profile of each server there (open it in Chrome DevTools). */
const PROFILE_DIR = process.argv.includes("--profile") ? process.argv[process.argv.indexOf("--profile") + 1] : undefined;
const DURATION_S = arg("duration", 60);
const RAMP_S = arg("ramp", 10);
/** --instances N: N servers on the one database, each user kept on one (a load balancer with affinity). */
const INSTANCES = arg("instances", 1);
const TOKEN_MS = 50; // 20 tokens/s
const PASSWORD = "load-test-password";

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

/** CPU ticks used and peak resident memory (the largest of them) of the server processes, from /proc. */
function processStats(pids: number[]) {
  let ticks = 0;
  let peakKb = 0;
  for (const pid of pids) {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    ticks += Number(stat[11]) + Number(stat[12]);
    peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0));
  }
  return { ticks, peakMb: peakKb / 1024 };
}

async function main() {
  const db = await startTestPostgres();
  const name = `threadline_load_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: db.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = Object.assign(new URL(db.adminUrl), { pathname: `/${name}` }).toString();
  const pool = createPool(url);
  const servers: Awaited<ReturnType<typeof startServer>>[] = [];
  try {
    await migrateDatabase(pool);
    // A cheap hash for test users: the sign-in flow is real, without 500 rounds of bcrypt-12.
    const hash = bcrypt.hashSync(PASSWORD, 4);
    await pool.query(`INSERT INTO "user" (id, email, password_hash) SELECT 'load-' || g, 'load-' || g || '@example.com', $1 FROM generate_series(1, $2) g`, [
      hash,
      USERS,
    ]);
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
    };
    for (let i = 0; i < INSTANCES; i++) servers.push(await startServer(url, env));
    const pids = servers.map((s) => s.process.pid!);
    const serverOf = (u: number) => servers[u % INSTANCES]!;

    console.error(`[load] signing in ${USERS} users…`);
    const cookies: string[] = [];
    for (let i = 0; i < USERS; i += 10) {
      cookies.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(10, USERS - i) }, (_, j) => signInOverHttp(serverOf(i + j).url, `load-${i + j + 1}@example.com`, PASSWORD)),
        )),
      );
    }

    console.error(`[load] ${USERS} users joining over ${RAMP_S} s, then measured for ${DURATION_S} s…`);
    const ttft: number[] = [];
    const accepted: number[] = [];
    const gaps: number[] = [];
    const errors: string[] = [];
    let runs = 0;
    const rampEnd = performance.now() + RAMP_S * 1000;
    const deadline = rampEnd + DURATION_S * 1000;
    let before = processStats(pids);
    let after: ReturnType<typeof processStats> | null = null;
    const measuring = [
      setTimeout(() => (before = processStats(pids)), RAMP_S * 1000),
      setTimeout(() => (after = processStats(pids)), (RAMP_S + DURATION_S) * 1000),
    ];
    await Promise.all(
      cookies.map(async (cookie, u) => {
        await new Promise((r) => setTimeout(r, (u / USERS) * RAMP_S * 1000));
        const client = clientFor(serverOf(u), cookie);
        try {
          const thread = await client.thread.create.mutate({ title: `load ${u}` });
          while (performance.now() < deadline) {
            const sent = performance.now();
            const measured = sent >= rampEnd;
            const { runId } = await client.chat.send.mutate({ threadId: thread.id, text: "hello" });
            if (measured) accepted.push(performance.now() - sent);
            await new Promise<void>((resolve) => {
              let last: number | null = null;
              const sub = client.chat.events.subscribe(
                { runId },
                {
                  onData: ({ data: event }) => {
                    const now = performance.now();
                    // A client joining a run gets the turn so far as a snapshot: words only if it has text.
                    const words = event.type === "text-delta" || (event.type === "snapshot" && event.turn.parts.some((p) => p.type === "text" && p.text));
                    if (words) {
                      if (measured) (last === null ? ttft : gaps).push(now - (last ?? sent));
                      last = now;
                    }
                    if (event.type === "run-end") {
                      if (event.status !== "succeeded") errors.push(`run ${event.status}: ${event.error ?? ""}`);
                      // Answers per second: those both sent and finished within the measured window.
                      else if (measured && now <= deadline) runs++;
                      sub.unsubscribe();
                      resolve();
                    }
                  },
                  onError: (err) => {
                    errors.push(`stream: ${(err as Error).message}`);
                    resolve();
                  },
                },
              );
            });
          }
        } catch (err) {
          errors.push(`user ${u}: ${(err as Error).message}`);
        }
      }),
    );
    for (const timer of measuring) clearTimeout(timer);
    after ??= processStats(pids);
    const seconds = DURATION_S;
    const cpu = (after.ticks - before.ticks) / 100 / seconds; // CLK_TCK is 100 on Linux

    const p99ttft = percentile(ttft, 99);
    const result = {
      users: USERS,
      instances: INSTANCES,
      rampS: RAMP_S,
      seconds: Math.round(seconds),
      answers: runs,
      answersPerSecond: runs / seconds,
      ttftMs: { p50: percentile(ttft, 50), p95: percentile(ttft, 95), p99: p99ttft },
      // Of the time to first token, the part before chat.send answered (auth, checks, the run's row).
      acceptedMs: { p50: percentile(accepted, 50), p99: percentile(accepted, 99) },
      addedInterTokenDelayP99Ms: percentile(gaps, 99) - TOKEN_MS,
      errors: errors.length,
      serverCpuCores: cpu,
      serverPeakMemoryMbPerInstance: after.peakMb,
      meetsTarget: errors.length === 0 && p99ttft - TOKEN_MS <= 250,
    };
    const f = (n: number) => n.toFixed(0);
    console.log(
      [
        `| users | servers | answers/s | TTFT p50 / p95 / p99 (ms) | of which send accepted p50 / p99 (ms) | added inter-token delay p99 (ms) | errors | servers' CPU (cores) | peak memory per server | target met |`,
        `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
        `| ${USERS} | ${INSTANCES} | ${result.answersPerSecond.toFixed(1)} | ${f(result.ttftMs.p50)} / ${f(result.ttftMs.p95)} / ${f(result.ttftMs.p99)} | ${f(result.acceptedMs.p50)} / ${f(result.acceptedMs.p99)} | ${f(result.addedInterTokenDelayP99Ms)} | ${errors.length} | ${cpu.toFixed(2)} | ${f(after.peakMb)} MB | ${result.meetsTarget ? "yes" : "no"} |`,
      ].join("\n"),
    );
    if (errors.length) console.log(`\nFirst errors:\n${[...new Set(errors)].slice(0, 5).join("\n")}`);
    const out = path.join(import.meta.dirname, "..", "bench", "results", `load-${USERS}${INSTANCES > 1 ? `-x${INSTANCES}` : ""}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(
      out,
      `${JSON.stringify({ date: new Date().toISOString(), durationS: DURATION_S, ...result, firstErrors: [...new Set(errors)].slice(0, 5) }, null, 2)}\n`,
    );
  } finally {
    for (const server of servers) {
      if (PROFILE_DIR) {
        server.process.kill("SIGTERM"); // a graceful exit writes the profile
        await server.exited;
      }
      await server.stop();
    }
    pool.removeAllListeners("error").on("error", () => {});
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    await db.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
