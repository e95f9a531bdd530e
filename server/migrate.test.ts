import { describe, it, expect } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createPool } from "@/db/client";
import { migrateDatabase } from "./migrate";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { withoutHiddenControls } from "@/lib/text";

// Each test migrates from nothing, so each gets an empty database of its own.
const t = testDatabaseForFile({ migrated: false, eachTest: true });
const migrationFiles = readdirSync(path.join(import.meta.dirname, "..", "db", "migrations")).filter((f) => f.endsWith(".sql"));

describe("migrations", () => {
  it("apply every migration to an empty database, then re-apply as a no-op", async () => {
    expect(await migrateDatabase(t.pool)).toEqual({ applied: migrationFiles.length });
    const { rows } = await t.pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(rows.map((r) => r.table_name)).toEqual([
      "account",
      "approvals",
      "message_branches",
      "message_search",
      "notes",
      "rate_limits",
      "run_events",
      "runs",
      "search_backfill",
      "session",
      "threads",
      "user",
      "user_sessions",
      "verificationToken",
    ]);
    // LangGraph's checkpoint tables, in their own schema beside the app's.
    const lg = await t.pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'langgraph' ORDER BY table_name",
    );
    expect(lg.rows.map((r) => r.table_name)).toEqual([
      "checkpoint_blobs",
      "checkpoint_migrations",
      "checkpoint_writes",
      "checkpoints",
      "message_nodes",
      "message_payloads",
    ]);

    expect(await migrateDatabase(t.pool)).toEqual({ applied: 0 });
    const journal = await t.pool.query("SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations");
    expect(journal.rows[0].n).toBe(migrationFiles.length);
  });

  it("are safe when several instances start at once", async () => {
    // Each instance has its own pool, as separate processes would.
    const pools = [createPool(t.url), createPool(t.url), createPool(t.url)];
    try {
      const results = await Promise.all(pools.map((p) => migrateDatabase(p)));
      expect(results.map((r) => r.applied).sort()).toEqual([0, 0, migrationFiles.length]);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it("create the sidebar index that the thread list query uses", async () => {
    await migrateDatabase(t.pool);
    // Enough rows that a sequential scan is not the cheap option.
    await t.pool.query(`INSERT INTO "user"(id, email) SELECT 'u' || g, 'u' || g || '@x.test' FROM generate_series(1, 200) g`);
    await t.pool.query(`INSERT INTO threads(user_id, title, updated_at)
      SELECT 'u' || (g % 200 + 1), 't' || g, now() - g * interval '1 second' FROM generate_series(1, 20000) g`);
    await t.pool.query("ANALYZE threads");
    const plan = await t.pool.query(`EXPLAIN SELECT id, title FROM threads WHERE user_id = 'u7'
      AND (updated_at, id) < (now(), 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)
      ORDER BY updated_at DESC, id DESC LIMIT 31`);
    const text = plan.rows.map((r) => r["QUERY PLAN"]).join("\n");
    expect(text).toContain("threads_user_updated_idx");
    expect(text).not.toMatch(/Sort/);
  });

  it("clean the titles saved before titles were cleaned, as withoutHiddenControls cleans new ones", async () => {
    await migrateDatabase(t.pool);
    await t.pool.query(`INSERT INTO "user"(id, email) VALUES ('u1', 'u1@x.test')`);
    const dirty = ["invoice\u202Egpj.exe", "\u200Bzero\uFEFFwidth\u2066", "\u202E\u200F", "plain title", "family 👨\u200D👩\u200D👧"];
    for (const title of dirty) await t.pool.query("INSERT INTO threads(user_id, title) VALUES ('u1', $1)", [title]);
    // The migration ran on an empty table; run its statement again over these, as it ran over real ones.
    await t.pool.query(readFileSync(path.join(import.meta.dirname, "..", "db", "migrations", "0007_titles_without_hidden_controls.sql"), "utf8"));
    const { rows } = await t.pool.query<{ title: string }>("SELECT title FROM threads ORDER BY created_at, id");
    expect(rows.map((r) => r.title).sort()).toEqual(dirty.map((d) => withoutHiddenControls(d) || "New chat").sort());
  });
});
