import { describe, expect, it } from "vitest";
import { testAgent } from "@/scripts/testing/agent";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { succeeded } from "@/scripts/testing/events";
import { scriptedModel } from "@/scripts/testing/fake-model";
import { signedInCaller } from "@/scripts/testing/users";
import { createCheckpointer } from "@/server/agent/checkpointer";
import { backfillSearch } from "./backfill";
import { MAX_INDEXED_CHARS } from "./rows";

const t = testDatabaseForFile();

describe("search rows", () => {
  it("take what Postgres text cannot hold out of a model's answer, so the answer is saved and found", async () => {
    const long = `${"word ".repeat(MAX_INDEXED_CHARS / 5 - 1)}abcd😀 and more`;
    const replies = [{ text: "a nul\u0000 and a lone \ud800 surrogate in an echidna answer" }, { text: long }];
    const { caller } = await signedInCaller(t, testAgent(t.pool, scriptedModel(replies).model));
    const threadId = await succeeded(caller, caller.chat.send({ text: "first" }));
    await succeeded(caller, caller.chat.send({ threadId, text: "second" }));
    const { rows } = await t.pool.query<{ body: string }>("SELECT body FROM message_search WHERE thread_id = $1 AND role = 'assistant' ORDER BY created_at", [
      threadId,
    ]);
    expect(rows[0]!.body).toBe("a nul and a lone \ufffd surrogate in an echidna answer");
    // Cut inside the emoji's surrogate pair: what is left of it is replaced, not stored broken.
    expect(rows[1]!.body).toBe(`${long.slice(0, MAX_INDEXED_CHARS - 1)}\ufffd`);
    expect((await caller.search.conversations({ query: "echidna" })).items).toHaveLength(1);
    // The backfill, which sends its rows as JSON, makes the same rows.
    await t.pool.query("DELETE FROM message_search WHERE thread_id = $1", [threadId]);
    await t.pool.query("INSERT INTO search_backfill (thread_id) VALUES ($1)", [threadId]);
    expect(await backfillSearch(t.db, createCheckpointer(t.pool))).toBe(1);
    const again = await t.pool.query("SELECT body FROM message_search WHERE thread_id = $1 AND role = 'assistant' ORDER BY created_at", [threadId]);
    expect(again.rows.map((r) => r.body).sort()).toEqual(rows.map((r) => r.body).sort());
    // The answers themselves are kept whole.
    const { messages } = await caller.thread.messages({ threadId });
    expect(messages[3]).toMatchObject({ role: "assistant", parts: [{ type: "text", text: long }] });
  });
});
