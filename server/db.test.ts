import { describe, expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { settingsPerTest } from "@/scripts/testing/settings";
import { createServerPool } from "./db";

const t = testDatabaseForFile({ migrated: false });

describe("the server's database connections never leave a request waiting for ever", () => {
  const set = settingsPerTest();

  it("have Postgres cancel a statement that runs past DATABASE_STATEMENT_TIMEOUT_MS", async () => {
    set({ DATABASE_STATEMENT_TIMEOUT_MS: 200 });
    const pool = createServerPool(t.url, { max: 1 });
    try {
      await expect(pool.query("SELECT pg_sleep(5)")).rejects.toMatchObject({ code: "57014" }); // query_canceled
      await expect(pool.query("SELECT 1 AS ok")).resolves.toMatchObject({ rows: [{ ok: 1 }] });
    } finally {
      await pool.end();
    }
  });

  it("end a session left idle inside a transaction, per DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS", async () => {
    set({ DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: 1_500, DATABASE_STATEMENT_TIMEOUT_MS: 0 });
    const pool = createServerPool(t.url, { max: 1 });
    try {
      const { rows } = await pool.query<{ idle: string; statement: string }>(
        "SELECT current_setting('idle_in_transaction_session_timeout') AS idle, current_setting('statement_timeout') AS statement",
      );
      expect(rows[0]).toEqual({ idle: "1500ms", statement: "0" });
    } finally {
      await pool.end();
    }
  });

  // The default wait is 10 s: a test that outlives 5 s did not get the setting.
  it("give up waiting for a free connection after DATABASE_CONNECT_TIMEOUT_MS", { timeout: 5_000 }, async () => {
    set({ DATABASE_CONNECT_TIMEOUT_MS: 300 });
    const pool = createServerPool(t.url, { max: 1 });
    const held = await pool.connect();
    try {
      await expect(pool.query("SELECT 1")).rejects.toThrow(/timeout/i);
    } finally {
      held.release();
      await pool.end();
    }
  });
});
