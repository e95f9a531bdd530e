/**
 * npm run load [-- --users 100 --duration 60]: the production build under N simulated users, over
 * real HTTP and SSE. Each user signs in through Auth.js's credentials endpoint, opens a thread,
 * and sends messages in a loop, following each answer's events to its end. The offline model
 * streams at 20 tokens/s, so its own time to first token is 50 ms. Needs `npm run build` first.
 */
import bcrypt from "bcryptjs";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { createPool } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import { startTestPostgres } from "./testing/postgres-server";
import { clientFor, startServer } from "./testing/servers";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const USERS = arg("users", 100);
/** --profile DIR: write a CPU profile of the server there (open it in Chrome DevTools). */
const PROFILE_DIR = process.argv.includes("--profile") ? process.argv[process.argv.indexOf("--profile") + 1] : undefined;
const DURATION_S = arg("duration", 60);
const TOKEN_MS = 50; // 20 tokens/s
const PASSWORD = "load-test-password";

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

/** Signs in the way a browser does: CSRF token, then the credentials callback; returns the session cookie. */
async function signIn(url: string, email: string): Promise<string> {
  const csrf = await fetch(`${url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const res = await fetch(`${url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
    body: new URLSearchParams({ email, password: PASSWORD, csrfToken, callbackUrl: "/" }),
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith("authjs.session-token="));
  if (!session) throw new Error(`sign-in failed for ${email}: HTTP ${res.status}`);
  return session.split(";")[0]!;
}

/** CPU ticks used and peak resident memory of a process, from /proc. */
function processStats(pid: number) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const ticks = Number(stat[11]) + Number(stat[12]);
  const peakKb = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
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
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    await migrateDatabase(pool);
    // A cheap hash for test users: the sign-in flow is real, without 500 rounds of bcrypt-12.
    const hash = bcrypt.hashSync(PASSWORD, 4);
    await pool.query(`INSERT INTO "user" (id, email, password_hash) SELECT 'load-' || g, 'load-' || g || '@example.com', $1 FROM generate_series(1, $2) g`, [hash, USERS]);
    server = await startServer(url, {
      OFFLINE_MODEL_DELAY_MS: String(TOKEN_MS),
      RUN_HEARTBEAT_MS: "2000",
      RUN_STALE_AFTER_MS: "10000",
      RUN_SWEEP_MS: "3000",
      LOG_LEVEL: "warn",
      DATABASE_POOL_MAX: "20",
      SIGNIN_ATTEMPTS_PER_IP: "0",
      ...(PROFILE_DIR && { CPU_PROFILE_DIR: path.resolve(PROFILE_DIR) }),
    });
    const pid = server.process.pid!;

    console.error(`[load] signing in ${USERS} users…`);
    const cookies: string[] = [];
    for (let i = 0; i < USERS; i += 10) {
      cookies.push(...(await Promise.all(Array.from({ length: Math.min(10, USERS - i) }, (_, j) => signIn(server!.url, `load-${i + j + 1}@example.com`)))));
    }

    console.error(`[load] ${USERS} users chatting for ${DURATION_S} s…`);
    const ttft: number[] = [];
    const gaps: number[] = [];
    const errors: string[] = [];
    let runs = 0;
    const before = processStats(pid);
    const started = performance.now();
    const deadline = started + DURATION_S * 1000;
    await Promise.all(
      cookies.map(async (cookie, u) => {
        // Spread the first messages over a second, as people do not all press Enter at once.
        await new Promise((r) => setTimeout(r, (u / USERS) * 1000));
        const client = clientFor(server!, cookie);
        try {
          const thread = await client.thread.create.mutate({ title: `load ${u}` });
          while (performance.now() < deadline) {
            const sent = performance.now();
            const { runId } = await client.chat.send.mutate({ threadId: thread.id, text: "hello" });
            await new Promise<void>((resolve) => {
              let last: number | null = null;
              const sub = client.chat.events.subscribe(
                { runId },
                {
                  onData: ({ data: event }) => {
                    const now = performance.now();
                    if (event.type === "text-delta" || event.type === "snapshot") {
                      if (last === null) ttft.push(now - sent);
                      else gaps.push(now - last);
                      last = now;
                    }
                    if (event.type === "run-end") {
                      if (event.status !== "succeeded") errors.push(`run ${event.status}: ${event.error ?? ""}`);
                      else runs++;
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
    const seconds = (performance.now() - started) / 1000;
    const after = processStats(pid);
    const cpu = (after.ticks - before.ticks) / 100 / seconds; // CLK_TCK is 100 on Linux

    const p99ttft = percentile(ttft, 99);
    const result = {
      users: USERS,
      seconds: Math.round(seconds),
      answers: runs,
      answersPerSecond: runs / seconds,
      ttftMs: { p50: percentile(ttft, 50), p95: percentile(ttft, 95), p99: p99ttft },
      addedInterTokenDelayP99Ms: percentile(gaps, 99) - TOKEN_MS,
      errors: errors.length,
      serverCpuCores: cpu,
      serverPeakMemoryMb: after.peakMb,
      meetsTarget: errors.length === 0 && p99ttft - TOKEN_MS <= 250,
    };
    const f = (n: number) => n.toFixed(0);
    console.log(
      [
        `| users | answers/s | TTFT p50 / p95 / p99 (ms) | added inter-token delay p99 (ms) | errors | server CPU (cores) | server peak memory | target met |`,
        `| --- | --- | --- | --- | --- | --- | --- | --- |`,
        `| ${USERS} | ${result.answersPerSecond.toFixed(1)} | ${f(result.ttftMs.p50)} / ${f(result.ttftMs.p95)} / ${f(result.ttftMs.p99)} | ${f(result.addedInterTokenDelayP99Ms)} | ${errors.length} | ${cpu.toFixed(2)} | ${f(after.peakMb)} MB | ${result.meetsTarget ? "yes" : "no"} |`,
      ].join("\n"),
    );
    if (errors.length) console.log(`\nFirst errors:\n${[...new Set(errors)].slice(0, 5).join("\n")}`);
    const out = path.join(import.meta.dirname, "..", "bench", "results", `load-${USERS}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), durationS: DURATION_S, ...result, firstErrors: [...new Set(errors)].slice(0, 5) }, null, 2)}\n`);
  } finally {
    if (PROFILE_DIR && server) {
      server.process.kill("SIGTERM"); // a graceful exit writes the profile
      await server.exited;
    }
    await server?.stop();
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
