import { describe, expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { fakeEmbedder } from "@/scripts/testing/embedder";
import { memorySection } from "./prompt";
import { orQuery, RECALL_SQL, recallFor, searchMemories } from "./recall";
import { addMemory } from "./store";

const t = testDatabaseForFile();

let users = 0;
async function user() {
  const id = `recall-user-${++users}`;
  await t.pool.query(`INSERT INTO "user"(id, email) VALUES ($1, $1 || '@x.test')`, [id]);
  return id;
}
const add = (
  userId: string,
  text: string,
  kind: "fact" | "profile" = "fact",
  embedded = { embedding: null as number[] | null, embeddingModel: null as string | null },
) => addMemory(t.db, userId, { kind, text, threadId: null, messageId: null, toolCallId: null, ...embedded });
const texts = (rows: { text: string }[]) => rows.map((r) => r.text);

describe("recall", () => {
  it("reads a plain sentence as its words ORed, so one shared word counts", () => {
    expect(orQuery("What units do I prefer?")).toBe("what or units or do or i or prefer");
    expect(orQuery(`"exact" -not OR 'quoted' café!!`)).toBe("exact or not or quoted or café");
    expect(orQuery("?!")).toBe("");
  });

  it("ranks facts by how much of the message they share, includes every profile memory, and nothing of anyone else's", async () => {
    const me = await user();
    const other = await user();
    await add(me, "My name is Ada", "profile");
    await add(me, "the spare key is under the mat");
    await add(me, "the car key is in the kitchen drawer");
    await add(me, "the keys to the shed are lost");
    await add(me, "my sister lives in Lisbon");
    await add(other, "the car key is at the office");
    const recalled = await recallFor(t.pool, me, "Where is the car key?");
    expect(texts(recalled)).toEqual(["My name is Ada", "the car key is in the kitchen drawer", expect.stringMatching(/key/), expect.stringMatching(/key/)]);
    expect(texts(recalled).slice(2).sort()).toEqual(["the keys to the shed are lost", "the spare key is under the mat"]);
    // A message of stop words alone still gets the profile.
    expect(texts(await recallFor(t.pool, me, "what do you ... ?"))).toEqual(["My name is Ada"]);
    expect(texts(await recallFor(t.pool, other, "Where is the car key?"))).toEqual(["the car key is at the office"]);
  });

  it("puts the best match first in the memory share when not all fit", async () => {
    const me = await user();
    await add(me, "tea is fine");
    await add(me, "green tea in the morning, black tea after lunch, never tea after six");
    const recalled = await recallFor(t.pool, me, "when do I drink green tea after lunch?");
    expect(texts(recalled)[0]).toBe("green tea in the morning, black tea after lunch, never tea after six");
    // Room for the long one alone: taken first, it leaves no room for the other.
    const room = Math.ceil(memorySection(recalled.slice(0, 1), 10_000).text.length / 4) + 5;
    const section = memorySection(recalled, room);
    expect(texts(section.used)).toEqual(["green tea in the morning, black tea after lunch, never tea after six"]);
  });

  it("searches every kind for the recall tool, or lists the newest without a query", async () => {
    const me = await user();
    await add(me, "I prefer metric units", "profile");
    await add(me, "the dentist is on Friday");
    expect(texts(await searchMemories(t.pool, me, "units", 20))).toEqual(["I prefer metric units"]);
    expect(texts(await searchMemories(t.pool, me, "", 20))).toEqual(["the dentist is on Friday", "I prefer metric units"]);
  });

  it("ranks by cosine similarity too with an embedder, fused with the full-text ranking", async () => {
    const me = await user();
    const { embedder } = fakeEmbedder();
    for (const text of ["my car is a blue Volvo", "the bike is red", "the shed key is lost"]) await add(me, text, "fact", await embedder.embedMemory(text));
    expect(texts(await recallFor(t.pool, me, "what colour is my automobile?"))).toEqual([]);
    expect(texts(await recallFor(t.pool, me, "what colour is my automobile?", embedder))[0]).toBe("my car is a blue Volvo");
    // Vectors of another model are never compared with this one's.
    const { embedder: other } = fakeEmbedder(64, "another-model");
    expect(texts(await recallFor(t.pool, me, "what colour is my automobile?", other))).toEqual([]);
  });

  it("uses the (user_id, tsv) GIN index for the facts of a user with 10,000 memories, among other users'", async () => {
    await t.pool.query(`INSERT INTO "user"(id, email) SELECT 'bulk-' || g, 'bulk-' || g || '@x.test' FROM generate_series(1, 50) g`);
    // bulk-7 has 10,000 memories; each of the others 200.
    await t.pool.query(`INSERT INTO memories(user_id, kind, text)
      SELECT CASE WHEN g <= 10000 THEN 'bulk-7' ELSE 'bulk-' || (g % 50 + 1) END, CASE WHEN g % 100 = 0 THEN 'profile' ELSE 'fact' END,
        'memory ' || g || ' about topic' || (g % 500) || ' and thing' || (g % 37)
      FROM generate_series(1, 20000) g`);
    await t.pool.query("ANALYZE memories");
    const plan = await t.pool.query(`EXPLAIN ${RECALL_SQL}`, ["bulk-7", orQuery("tell me about topic12 and thing5")]);
    const text = plan.rows.map((r) => r["QUERY PLAN"]).join("\n");
    expect(text).toContain("memories_user_tsv_idx");
    expect(text).toContain("memories_user_kind_updated_idx");
    expect(text).not.toMatch(/Seq Scan/);
  });
});
