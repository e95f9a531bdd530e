import { describe, it, expect } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createPool } from "@/db/client";
import { migrateDatabase } from "./migrate";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { withoutHiddenControls } from "@/lib/text";
import { migrateThrough } from "@/scripts/testing/migrations";
import { legacySaveNote } from "./agent/tools/memory";

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
      "attachments",
      "feedback",
      "memories",
      "message_attachments",
      "message_branches",
      "message_search",
      "rate_limits",
      "run_events",
      "runs",
      "search_backfill",
      "session",
      "shares",
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

  it("move every note into memories with nothing lost, then drop notes", async () => {
    await migrateThrough(t.pool, "0007_titles_without_hidden_controls");
    await t.pool.query(`INSERT INTO "user"(id, email) VALUES ('u1', 'u1@x.test'), ('u2', 'u2@x.test')`);
    const long = Array.from({ length: 650 }, (_, i) => `word${i}`).join(" ") + " ünïcødé 👨\u200D👩\u200D👧";
    const notes = [
      { id: crypto.randomUUID(), user: "u1", text: "the spare key is under the mat", call: "call_a", at: "2024-01-02T03:04:05.678Z" },
      { id: crypto.randomUUID(), user: "u1", text: "Größe: 42 — naïve café 日本語", call: "call_b", at: "2024-02-02T03:04:05.678Z" },
      { id: crypto.randomUUID(), user: "u2", text: long, call: "call_a", at: "2024-03-02T03:04:05.678Z" },
    ];
    for (const n of notes)
      await t.pool.query("INSERT INTO notes(id, user_id, text, tool_call_id, created_at) VALUES ($1, $2, $3, $4, $5)", [n.id, n.user, n.text, n.call, n.at]);
    // Nothing in it to keep, and nothing could save one: the one note that does not become a memory.
    await t.pool.query("INSERT INTO notes(user_id, text, tool_call_id) VALUES ('u1', '', 'call_empty')");

    expect(await migrateDatabase(t.pool)).toEqual({ applied: migrationFiles.length - 8 });

    const { rows } = await t.pool.query<{ id: string; user_id: string; kind: string; text: string; tool_call_id: string; created_at: Date; updated_at: Date }>(
      "SELECT id, user_id, kind, text, tool_call_id, created_at, updated_at FROM memories ORDER BY user_id, created_at",
    );
    const [key, unicode, ...parts] = rows;
    for (const [memory, note] of [
      [key, notes[0]!],
      [unicode, notes[1]!],
    ] as const) {
      expect(memory).toEqual({
        id: note.id,
        user_id: note.user,
        kind: "fact",
        text: note.text,
        tool_call_id: note.call,
        created_at: new Date(note.at),
        updated_at: new Date(note.at),
      });
    }
    // The long one (over 2,000 characters) is kept whole, as memories in order, the first with its id.
    expect(long.length).toBeGreaterThan(4_000);
    expect(parts.map((p) => p.text).join("")).toBe(long);
    expect(parts.every((p) => p.user_id === "u2" && [...p.text].length <= 2_000)).toBe(true);
    expect(parts.map((p) => p.tool_call_id)).toEqual(["call_a", "call_a#2", "call_a#3"]);
    expect(parts[0]!.id).toBe(notes[2]!.id);

    const left = await t.pool.query("SELECT to_regclass('public.notes') AS t");
    expect(left.rows[0].t).toBeNull();
    // Searchable at once: the generated column is filled for what the migration copied.
    const found = await t.pool.query("SELECT id FROM memories WHERE user_id = 'u1' AND tsv @@ websearch_to_tsquery('english', 'keys')");
    expect(found.rows).toEqual([{ id: notes[0]!.id }]);

    // A save_note replayed after the upgrade (its run crashed after saving) finds its memory, as it found its note.
    const call = { id: "call_a", name: "save_note", args: { text: "the spare key is under the mat" }, type: "tool_call" as const };
    await legacySaveNote({ db: t.db }).invoke(call, { configurable: { user_id: "u1", memory: "on" } });
    const again = await t.pool.query("SELECT count(*)::int AS n FROM memories WHERE user_id = 'u1' AND tool_call_id = 'call_a'");
    expect(again.rows[0].n).toBe(1);
  });
});
