import { describe, expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { planNodes } from "@/scripts/testing/plans";
import { signedInCaller } from "@/scripts/testing/users";
import { listThreadsQuery } from "./queries";

const t = testDatabaseForFile();

describe("the sidebar query", () => {
  it("reads a page straight from threads_user_updated_idx, first page and later ones, with no sort", async () => {
    const { user } = await signedInCaller(t);
    // Many users' threads, so the planner has a real choice to make.
    await t.pool.query(`INSERT INTO "user" (id, email) SELECT 'other-' || g, 'other-' || g || '@example.com' FROM generate_series(1, 200) g`);
    await t.pool.query(
      `INSERT INTO threads (user_id, title, updated_at)
       SELECT CASE WHEN g % 10 = 0 THEN $1 ELSE 'other-' || (g % 200 + 1) END, 'Thread ' || g, now() - g * interval '1 second'
       FROM generate_series(1, 50000) g`,
      [user.id],
    );
    await t.pool.query("ANALYZE threads");

    const first = listThreadsQuery(t.db, user.id, { limit: 30 }).toSQL();
    const later = listThreadsQuery(t.db, user.id, {
      limit: 30,
      cursor: { updatedAt: new Date(Date.now() - 60_000), id: "ffffffff-ffff-4fff-bfff-ffffffffffff" },
    }).toSQL();
    for (const query of [first, later]) {
      const { rows } = await t.pool.query(`EXPLAIN (FORMAT JSON) ${query.sql}`, query.params);
      const plan = planNodes(rows[0]["QUERY PLAN"][0].Plan);
      expect(plan.map((n) => n["Index Name"]).filter(Boolean)).toEqual(["threads_user_updated_idx"]);
      expect(plan.map((n) => n["Node Type"])).not.toContain("Sort");
      expect(plan.map((n) => n["Node Type"])).not.toContain("Seq Scan");
    }
  });
});
