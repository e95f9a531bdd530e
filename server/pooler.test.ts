/**
 * The server's pool behind a real PgBouncer (deploy/pgbouncer/pgbouncer.ini, transaction mode), with
 * DATABASE_DIRECT_URL around it: what must not go through a transaction pooler does not.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DB } from "@/db/client";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { succeeded } from "@/scripts/testing/events";
import { type PgBouncer, startPgBouncer } from "@/scripts/testing/pgbouncer";
import { signedInCaller } from "@/scripts/testing/users";
import { parseConfig } from "./config";
import { createServerPool } from "./db";
import { readiness } from "./health";
import { addMemory } from "./memory/store";
import { recallFor, searchMemories } from "./memory/recall";
import { poolerLimitMismatches } from "./pooler";
import { listenUrl } from "./runs/follow";
import { CHANNELS, notificationHub } from "./runs/notify";

const t = testDatabaseForFile();
const empty = testDatabaseForFile({ migrated: false });
const defaults = parseConfig({});
let bouncer: PgBouncer;
const pooled = {} as { pool: pg.Pool; db: DB };
beforeAll(async () => {
  bouncer = await startPgBouncer(t.url);
  pooled.pool = createServerPool(bouncer.pooled(t.url), { directUrl: t.url });
  pooled.db = createDb(pooled.pool);
});
afterAll(async () => {
  await notificationHub(bouncer.pooled(t.url)).close();
  await pooled.pool?.end();
  await bouncer?.stop();
});

/** Transactions PgBouncer has passed to this file's database. */
const transactions = async () =>
  Number(
    (await bouncer.admin<{ database: string; total_xact_count: string }>("SHOW STATS")).find((r) => r.database === new URL(t.url).pathname.slice(1))
      ?.total_xact_count ?? 0,
  );

describe("behind PgBouncer in transaction mode", () => {
  it("finds the server's default limits on the shipped configuration's connections, and reports a pooler without them", async () => {
    expect(await poolerLimitMismatches(pooled.pool, defaults)).toEqual([]);
    const bare = await startPgBouncer(t.url, { databases: (line) => line.replace(/ connect_query=.*$/, "") });
    const pool = createServerPool(bare.pooled(t.url), { directUrl: t.url });
    try {
      expect(await poolerLimitMismatches(pool, defaults)).toEqual([
        expect.stringMatching(/^through the pooler, statement_timeout is 0 \(no limit\) where DATABASE_STATEMENT_TIMEOUT_MS is 30000/),
        expect.stringMatching(
          /^through the pooler, idle_in_transaction_session_timeout is 0 \(no limit\) where DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS is 60000/,
        ),
      ]);
    } finally {
      await pool.end();
      await bare.stop();
    }
  });

  it("listens around the pooler: a NOTIFY sent through it reaches the listener", async () => {
    const hub = notificationHub(listenUrl(pooled.db));
    const heard: string[] = [];
    const off = hub.on(CHANNELS.events, (payload) => heard.push(payload));
    try {
      await expect.poll(() => hub.connected).toBe(true);
      const before = await transactions();
      await pooled.pool.query("SELECT pg_notify($1, $2)", [CHANNELS.events, "run-1:1"]);
      expect(await transactions()).toBeGreaterThan(before);
      await expect.poll(() => heard).toEqual(["run-1:1"]);
    } finally {
      off();
    }
  });

  it("checks readiness without leaving its one-second limit, or no limit, on a connection others use", async () => {
    for (let i = 0; i < 5; i++) {
      const checks = await Promise.all(Array.from({ length: 4 }, () => readiness(pooled.pool)));
      expect(checks.every((c) => c.ready)).toBe(true);
    }
    const limits = await Promise.all(Array.from({ length: 8 }, () => poolerLimitMismatches(pooled.pool, defaults)));
    expect(limits.flat()).toEqual([]);
  });

  it("migrates around it: three `npm run db:migrate` at once, DATABASE_URL the pooler, take turns and leave no lock held", async () => {
    const migrate = () =>
      promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/migrate.ts"], {
        env: { ...process.env, DATABASE_URL: bouncer.pooled(empty.url), DATABASE_DIRECT_URL: empty.url },
      });
    const outputs = (await Promise.all([migrate(), migrate(), migrate()])).map((r) => r.stdout);
    expect(outputs.filter((o) => /applied \d+ migration/.test(o))).toHaveLength(1);
    expect(outputs.filter((o) => o.includes("schema is up to date"))).toHaveLength(2);
    const { rows } = await empty.pool.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'");
    expect(rows[0].n).toBe(0);
  });

  it("recalls memories through it, many at once, with its statements unnamed", async () => {
    const { user } = await signedInCaller(pooled);
    await addMemory(pooled.db, user.id, {
      kind: "profile",
      text: "I prefer metric units",
      threadId: null,
      messageId: null,
      toolCallId: null,
      embedding: null,
      embeddingModel: null,
    });
    const found = await Promise.all(
      Array.from({ length: 24 }, (_, i) => (i % 2 ? recallFor(pooled.pool, user.id, "which units?") : searchMemories(pooled.pool, user.id, "units", 5))),
    );
    expect(found.map((rows) => rows.map((r) => r.text))).toEqual(Array(24).fill(["I prefer metric units"]));
  });

  it("runs eight conversations at once through it, checkpoints and all", async () => {
    const { caller } = await signedInCaller(pooled);
    const before = await transactions();
    const threads = await Promise.all(Array.from({ length: 8 }, (_, i) => succeeded(caller, caller.chat.send({ text: `what is ${i + 1}*7?` }))));
    for (const [i, threadId] of threads.entries()) {
      const { messages } = await caller.thread.messages({ threadId });
      expect(JSON.stringify(messages.at(-1))).toContain(String((i + 1) * 7));
    }
    expect(await transactions()).toBeGreaterThan(before + 8 * 6);
  });
});
