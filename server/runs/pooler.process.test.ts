/**
 * Several real server processes behind a real PgBouncer in transaction mode (the shipped
 * deploy/pgbouncer/pgbouncer.ini), DATABASE_URL the pooler and DATABASE_DIRECT_URL around it: the
 * same scenarios as on Postgres directly (scripts/testing/instance-scenarios.ts), and proof that
 * the traffic went through the pooler, all but the LISTEN connections.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "@/server/auth/users";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { instanceScenarios, type Instances, KILL_POINTS } from "@/scripts/testing/instance-scenarios";
import { type PgBouncer, startPgBouncer } from "@/scripts/testing/pgbouncer";
import { sessionCookie, startServer } from "@/scripts/testing/servers";
import { uniqueEmail } from "@/scripts/testing/users";

const t = testDatabaseForFile();
// The servers' direct connections name themselves, so Postgres can say which they are.
const DIRECT = "threadline-direct";
let bouncer: PgBouncer;
let before = 0;
const instances = {
  t,
  start: (env?: Record<string, string>) => startServer(bouncer.pooled(t.url), { DATABASE_DIRECT_URL: `${t.url}?application_name=${DIRECT}`, ...env }),
} as Instances;

/** Transactions PgBouncer has passed to this file's database. */
const transactions = async () =>
  Number(
    (await bouncer.admin<{ database: string; total_xact_count: string }>("SHOW STATS")).find((r) => r.database === new URL(t.url).pathname.slice(1))
      ?.total_xact_count ?? 0,
  );

beforeAll(async () => {
  bouncer = await startPgBouncer(t.url);
  before = await transactions();
  instances.b = await instances.start();
  const created = await createUser(t.db, { email: uniqueEmail(), password: "correct-horse-42" });
  if (!created.ok) throw new Error("no user");
  instances.cookie = await sessionCookie(t.db, created.user.id, created.user.email);
}, 120_000);
afterAll(async () => {
  await instances.b?.stop();
  await bouncer?.stop();
});

describe("several instances behind PgBouncer in transaction mode", () => {
  // Two kill points: one a run resumes from, one it needs Continue for (all five run on Postgres directly).
  instanceScenarios(instances, { killPoints: KILL_POINTS.filter((p) => ["at the step boundary after a tool", "mid-answer"].includes(p.point)) });

  it("sent every statement through PgBouncer but LISTEN, one direct connection per instance, with the limits the settings say", async () => {
    const a = await instances.start();
    try {
      expect(await transactions()).toBeGreaterThan(before + 200);
      const directly = async () =>
        (await t.pool.query("SELECT query FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1", [DIRECT])).rows;
      await expect.poll(directly).toEqual([{ query: "LISTEN threadline_session_ended" }, { query: "LISTEN threadline_session_ended" }]);
      for (const server of [a, instances.b]) expect(server.output()).not.toContain("through the pooler");
    } finally {
      await a.stop();
    }
  });
});
