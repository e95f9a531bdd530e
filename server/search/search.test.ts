import { describe, expect, it } from "vitest";
import { markedSegments } from "@/lib/search";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { succeeded } from "@/scripts/testing/events";
import { failure } from "@/scripts/testing/failure";
import { signedInCaller } from "@/scripts/testing/users";

const t = testDatabaseForFile();

type Caller = Awaited<ReturnType<typeof signedInCaller>>["caller"];

/** A conversation with a title of its own (a first message would otherwise name it) and these messages. */
async function conversation(caller: Caller, title: string, ...texts: string[]) {
  const { id } = await caller.thread.create({ title });
  for (const text of texts) await succeeded(caller, caller.chat.send({ threadId: id, text }));
  return id;
}

/** A hit as the page shows it: its title and snippet with the marked words in [brackets]. */
const shown = (hit: { title: string; snippet: string | null }) => {
  const plain = (s: string) =>
    markedSegments(s)
      .map((seg) => (seg.marked ? `[${seg.text}]` : seg.text))
      .join("");
  return hit.snippet === null ? `title: ${plain(hit.title)}` : `${plain(hit.title)}: ${plain(hit.snippet)}`;
};

const rowsOf = async (threadId: string) =>
  (
    await t.pool.query<{ message_id: string; role: string; body: string }>(
      "SELECT message_id, role, body FROM message_search WHERE thread_id = $1 ORDER BY created_at, body",
      [threadId],
    )
  ).rows;

describe("search", () => {
  it("indexes each user message and each answer's text once, under the message the page shows, on every branch", async () => {
    const { caller } = await signedInCaller(t);
    const threadId = await conversation(caller, "Sums", "what is 2+2?", "what is 3+3?");
    const before = await caller.thread.messages({ threadId });
    const [q1, a1, q2, a2] = before.messages;
    // An answer with a tool call is three messages (call, result, text): its text goes under the turn's id.
    expect(await rowsOf(threadId)).toEqual([
      { message_id: q1!.id, role: "user", body: "what is 2+2?" },
      { message_id: a1!.id, role: "assistant", body: "2+2 = **4**" },
      { message_id: q2!.id, role: "user", body: "what is 3+3?" },
      { message_id: a2!.id, role: "assistant", body: "3+3 = **6**" },
    ]);

    // An edit is a new branch: the old version stays searchable beside the new one.
    await succeeded(caller, caller.chat.edit({ threadId, messageId: q2!.id, text: "what is 5+5?" }));
    const after = await caller.thread.messages({ threadId });
    expect((await rowsOf(threadId)).map((r) => r.body)).toEqual(["what is 2+2?", "2+2 = **4**", "what is 3+3?", "3+3 = **6**", "what is 5+5?", "5+5 = **10**"]);
    expect((await rowsOf(threadId)).slice(4).map((r) => r.message_id)).toEqual([after.messages[2]!.id, after.messages[3]!.id]);

    // Switching branches stores the same messages again under a new checkpoint, and indexes nothing twice.
    await caller.thread.switchBranch({ threadId, messageId: q2!.id });
    await caller.thread.switchBranch({ threadId, messageId: after.messages[2]!.id });
    expect(await rowsOf(threadId)).toHaveLength(6);
  });

  it("ranks titles first, then messages by how well they match, then the newest; pages by keyset without gaps or repeats", async () => {
    const { caller } = await signedInCaller(t);
    const a = await conversation(caller, "First", "one quokka here");
    const b = await conversation(caller, "Second", "quokka, quokkas and more quokka sightings");
    await conversation(caller, "Quokka facts", "something else entirely");
    const d = await conversation(caller, "Fourth", "another quokka, later");
    await conversation(caller, "Unrelated", "what is 2+2?");

    const all = await caller.search.conversations({ query: "quokka" });
    expect(all.items.map(shown)).toEqual([
      "title: [Quokka] facts",
      "Second: [quokka], [quokkas] and more [quokka] sightings",
      "Fourth: another [quokka], later",
      "First: one [quokka] here",
    ]);
    expect(all.items.map((h) => h.threadId).slice(1)).toEqual([b, d, a]);
    expect(all.items[0]!.messageId).toBeNull();
    expect(all.items[1]!.messageId).toBe((await caller.thread.messages({ threadId: b })).messages[0]!.id);
    expect(all.nextCursor).toBeNull();

    const seen: string[] = [];
    let cursor = null;
    // At most one page more than there are hits: a cursor that does not move ends the loop too.
    for (let pages = 0; pages <= all.items.length; pages++) {
      const page: Awaited<ReturnType<Caller["search"]["conversations"]>> = await caller.search.conversations({ query: "quokka", limit: 1, cursor });
      seen.push(...page.items.map((h) => h.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(all.items.map((h) => h.id));

    // Quotes, or, and -word, as people type them; exclusions alone and stop words alone find nothing.
    expect((await caller.search.conversations({ query: '"one quokka"' })).items.map(shown)).toEqual(["First: [one] [quokka] here"]);
    expect((await caller.search.conversations({ query: "quokka -sightings -facts" })).items.map((h) => h.threadId)).toEqual([d, a]);
    expect((await caller.search.conversations({ query: "entirely or later" })).items.map((h) => h.title)).toEqual(["Fourth", "Quokka facts"]);
    expect((await caller.search.conversations({ query: "-quokka" })).items).toEqual([]);
    expect((await caller.search.conversations({ query: "the and of" })).items).toEqual([]);
  });

  it("leaves a deleted conversation's messages out of search, and out of the table", async () => {
    const { caller } = await signedInCaller(t);
    const kept = await conversation(caller, "Kept", "the wombat stays");
    const gone = await conversation(caller, "Gone", "the wombat goes");
    expect((await caller.search.conversations({ query: "wombat" })).items.map((h) => h.threadId).sort()).toEqual([kept, gone].sort());
    await caller.thread.delete({ threadId: gone });
    expect((await caller.search.conversations({ query: "wombat" })).items.map((h) => h.threadId)).toEqual([kept]);
    expect(await rowsOf(gone)).toEqual([]);
  });

  it("keeps marks in the text from passing for the highlight", async () => {
    const { caller } = await signedInCaller(t);
    await conversation(caller, "Marks", "a \uE000fake\uE001 mark beside a real platypus");
    const [hit] = (await caller.search.conversations({ query: "platypus" })).items;
    expect(markedSegments(hit!.snippet!)).toEqual([
      { text: "a fake mark beside a real ", marked: false },
      { text: "platypus", marked: true },
    ]);
  });

  it("refuses a search it would not store: empty, longer than 200 characters, or with NUL, saying why", async () => {
    const { caller } = await signedInCaller(t);
    for (const [query, says] of [
      ["  ", "query: Type something to search for"],
      ["x".repeat(201), "query: A search must be at most 200 characters"],
      ["nul\u0000", "query: The search cannot contain NUL characters"],
    ]) {
      const err = await failure(caller.search.conversations({ query: query! }));
      expect({ code: err.code, message: err.message }).toEqual({ code: "BAD_REQUEST", message: says });
    }
    expect((await caller.search.conversations({ query: "x".repeat(200) })).items).toEqual([]);
  });
});
