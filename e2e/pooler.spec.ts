import { test as base, expect } from "@playwright/test";
import { type PgBouncer, startPgBouncer } from "../scripts/testing/pgbouncer";
import { type Server, startServer } from "../scripts/testing/servers";
import { reloadMidAnswer, signUp } from "./helpers";

/**
 * A server of its own (the production build) behind a real PgBouncer in transaction mode, with the
 * shipped deploy/pgbouncer/pgbouncer.ini, in front of the end-to-end database (which the suite's
 * own server has migrated): DATABASE_URL the pooler, DATABASE_DIRECT_URL around it.
 */
const test = base.extend<object, { pooled: { server: Server; bouncer: PgBouncer } }>({
  pooled: [
    async ({}, provide) => {
      const direct = process.env.DATABASE_URL!;
      const bouncer = await startPgBouncer(direct);
      try {
        // Paced as the suite's own server is, so the reload comes in the middle of the answer.
        // The suite's database counts every test's sign-up from 127.0.0.1: the suite's server's limit, not the default.
        const server = await startServer(bouncer.pooled(direct), { DATABASE_DIRECT_URL: direct, OFFLINE_MODEL_DELAY_MS: "40", SIGNUP_ATTEMPTS_PER_IP: "1000" });
        try {
          await provide({ server, bouncer });
        } finally {
          await server.stop();
        }
      } finally {
        await bouncer.stop();
      }
    },
    { scope: "worker", timeout: 90_000 },
  ],
  baseURL: async ({ pooled }, provide) => provide(pooled.server.url),
});

/** Transactions PgBouncer has passed to the end-to-end database. */
async function transactions(bouncer: PgBouncer): Promise<number> {
  const database = new URL(process.env.DATABASE_URL!).pathname.slice(1);
  const rows = await bouncer.admin<{ database: string; total_xact_count: string }>("SHOW STATS");
  return Number(rows.find((r) => r.database === database)?.total_xact_count ?? 0);
}

test("behind PgBouncer, a reload in the middle of an answer shows it so far, then the rest live, with no word lost or repeated", async ({ page, pooled }) => {
  await signUp(page);
  const before = await transactions(pooled.bouncer);
  await reloadMidAnswer(page);
  // Two conversations, their answers streamed and checkpointed: far more than a handful of transactions.
  expect(await transactions(pooled.bouncer)).toBeGreaterThan(before + 20);
});
