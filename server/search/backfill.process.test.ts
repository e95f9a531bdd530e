/** A real server indexes, at start, the conversations older than search: the backfill runs without being asked. */
import { afterAll, expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { succeeded } from "@/scripts/testing/events";
import { type Server, startServer } from "@/scripts/testing/servers";
import { signedInCaller } from "@/scripts/testing/users";

const t = testDatabaseForFile();
let server: Server | undefined;
afterAll(() => server?.stop());

const count = async (sql: string) => Number((await t.pool.query(sql)).rows[0].n);

it("indexes the threads the migration listed when it starts, in the background", { timeout: 120_000 }, async () => {
  const { caller } = await signedInCaller(t);
  const threadId = await succeeded(caller, caller.chat.send({ text: "an old conversation about the quoll" }));
  // As before search existed: no rows, and the thread on the migration's list.
  await t.pool.query("DELETE FROM message_search");
  await t.pool.query("INSERT INTO search_backfill (thread_id) VALUES ($1)", [threadId]);

  server = await startServer(t.url);
  await expect.poll(() => count("SELECT count(*) AS n FROM search_backfill"), { timeout: 30_000 }).toBe(0);
  expect(await count("SELECT count(*) AS n FROM message_search WHERE body = 'an old conversation about the quoll'")).toBe(1);
  expect((await caller.search.conversations({ query: "quoll" })).items.map((h) => h.threadId)).toContain(threadId);
  expect(server.output()).toContain("indexed older conversations for search");
});
