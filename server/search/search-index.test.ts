import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { planNodes } from "@/scripts/testing/plans";
import { fillSearchData, SEARCHER, word } from "@/scripts/testing/search-data";
import { searchPageQuery } from "./queries";

const t = testDatabaseForFile();

describe("the search query", () => {
  it("reads the user's matching rows from the composite GIN index, and makes headlines for the page only", async () => {
    await fillSearchData(t.pool, { users: 200, messages: 40_000, searcherMessages: 2_000, threads: 2_000, searcherThreads: 40 });
    const cursor = { rank: 0.05, at: new Date(), id: "ffffffff-ffff-4fff-bfff-ffffffffffff" };
    // A word in about one message in a hundred, a common one, and two words.
    for (const [query, page] of [
      [word(400), null],
      [word(5), null],
      [word(5), cursor],
      [`${word(30)} ${word(60)}`, null],
    ] as const) {
      const { rows } = await t.db.execute(sql`EXPLAIN (FORMAT JSON, VERBOSE) ${searchPageQuery(SEARCHER, query, { limit: 20, cursor: page })}`);
      const root = (rows[0] as { "QUERY PLAN": { Plan: Record<string, unknown> }[] })["QUERY PLAN"][0]!.Plan;
      const plan = planNodes(root);
      const onMessages = plan.filter((n) => n["Relation Name"] === "message_search");
      expect({ query, scans: onMessages.map((n) => n["Node Type"]) }).not.toMatchObject({ scans: expect.arrayContaining(["Seq Scan"]) });
      expect(plan.map((n) => n["Index Name"])).toContain("message_search_user_tsv_idx");
      // Under the LIMIT, no node computes a headline: only the page's rows get one.
      const limit = plan.find((n) => n["Node Type"] === "Limit")!;
      expect(JSON.stringify(planNodes(limit))).not.toContain("ts_headline");
      expect(JSON.stringify(root)).toContain("ts_headline");
    }
  });
});
