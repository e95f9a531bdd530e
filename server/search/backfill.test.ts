import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { succeeded } from "@/scripts/testing/events";
import { signedInCaller } from "@/scripts/testing/users";
import { createCheckpointer } from "@/server/agent/checkpointer";
import { backfillSearch } from "./backfill";

const t = testDatabaseForFile();

/** The part of the search migration that lists the threads to index (and makes the indexes), as the merge keeps it. */
const migrationCustomPart = () => {
  const dir = path.join(import.meta.dirname, "..", "..", "db", "migrations");
  const file = readFileSync(path.join(dir, "0009_message_search.sql"), "utf8");
  return file.slice(file.indexOf("-- custom:")).replaceAll("--> statement-breakpoint", "");
};

const searchRows = async () =>
  (await t.pool.query("SELECT key, user_id, thread_id, message_id, role, body FROM message_search ORDER BY key")).rows as Record<string, string>[];

describe("the search backfill", () => {
  it("indexes the conversations the migration lists exactly as the saver indexes new ones, every branch included, once", async () => {
    const alice = await signedInCaller(t);
    const bob = await signedInCaller(t);
    const branched = await succeeded(alice.caller, alice.caller.chat.send({ text: "what is 2+2?" }));
    await succeeded(alice.caller, alice.caller.chat.send({ threadId: branched, text: "tell me about the numbat" }));
    const question = (await alice.caller.thread.messages({ threadId: branched })).messages[2]!;
    await succeeded(alice.caller, alice.caller.chat.edit({ threadId: branched, messageId: question.id, text: "tell me about the bilby" }));
    await succeeded(
      alice.caller,
      alice.caller.chat.regenerate({ threadId: branched, messageId: (await alice.caller.thread.messages({ threadId: branched })).messages[1]!.id }),
    );
    await succeeded(bob.caller, bob.caller.chat.send({ text: "what is 3*3?" }));
    await alice.caller.thread.create({ title: "Empty" });

    const live = await searchRows();
    expect(live.map((r) => r.body)).toEqual(expect.arrayContaining(["tell me about the numbat", "tell me about the bilby", "3*3 = **9**"]));

    // As before search existed: no rows, and the migration lists every thread.
    await t.pool.query("DELETE FROM message_search");
    await t.pool.query(migrationCustomPart());
    const threads = Number((await t.pool.query("SELECT count(*) AS n FROM threads")).rows[0].n);
    expect(Number((await t.pool.query("SELECT count(*) AS n FROM search_backfill")).rows[0].n)).toBe(threads);

    // Two instances starting at once share the list; each thread is indexed by one of them.
    const counts = await Promise.all([backfillSearch(t.db, createCheckpointer(t.pool)), backfillSearch(t.db, createCheckpointer(t.pool))]);
    expect(counts[0]! + counts[1]!).toBe(threads);
    expect(await searchRows()).toEqual(live);
    expect((await t.pool.query("SELECT * FROM search_backfill")).rows).toEqual([]);

    // A user message is dated when it was sent, as its branch row says.
    const dated = await t.pool.query(
      `SELECT count(*) AS n FROM message_search s JOIN message_branches b ON b.thread_id = s.thread_id AND b.message_id = s.message_id
       WHERE s.role = 'user' AND s.created_at <> b.created_at`,
    );
    expect(Number(dated.rows[0].n)).toBe(0);

    // Run again (another start): nothing left to do, nothing changed.
    expect(await backfillSearch(t.db, createCheckpointer(t.pool))).toBe(0);
    expect(await searchRows()).toEqual(live);
    expect((await alice.caller.search.conversations({ query: "numbat" })).items.map((h) => h.threadId)).toEqual([branched]);
  });
});
