import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { registryOf, testAgent } from "@/scripts/testing/agent";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { succeeded } from "@/scripts/testing/events";
import { settingsPerTest } from "@/scripts/testing/settings";
import { signedInCaller } from "@/scripts/testing/users";
import { saveAttachment } from "@/server/attachments/store";
import { addMemory } from "@/server/memory/store";
import { createThread } from "@/server/threads/queries";
import { accountExport } from "./export";
import { exportAccountResponse, exportConversationResponse, importResponse, type TransferDeps } from "./http";

const t = testDatabaseForFile();
const set = settingsPerTest();
const CHATGPT = readFileSync(path.join(__dirname, "fixtures/chatgpt-conversations.json"));

/** A signed-in user, and the export and import routes as their browser reaches them. */
async function account() {
  const agent = testAgent(t.pool);
  const { caller, user } = await signedInCaller(t, agent);
  const deps: TransferDeps = { db: t.db, agents: async () => registryOf(agent), userOf: async () => user.id };
  const base = "http://localhost";
  return {
    caller,
    user,
    agent,
    deps,
    exportJson: async (threadId: string) =>
      (await exportConversationResponse(new Request(`${base}/api/threads/${threadId}/export?format=json`), threadId, deps)).json(),
    exportOf: (threadId: string, format = "json") =>
      exportConversationResponse(new Request(`${base}/api/threads/${threadId}/export?format=${format}`), threadId, deps),
    import: (body: BodyInit, headers: Record<string, string> = {}) =>
      importResponse(new Request(`${base}/api/import`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } }), deps),
  };
}

/** A conversation with a tool call, an edited question and a regenerated answer: three branches. */
async function branchy(caller: Awaited<ReturnType<typeof account>>["caller"]) {
  const threadId = await succeeded(caller, caller.chat.send({ text: "hello there" }));
  await succeeded(caller, caller.chat.send({ threadId, text: "what is 6*7?" }));
  const shown = await caller.thread.messages({ threadId });
  await succeeded(caller, caller.chat.edit({ threadId, messageId: shown.messages[2]!.id, text: "what is 2+3?" }));
  const edited = await caller.thread.messages({ threadId });
  await succeeded(caller, caller.chat.regenerate({ threadId, messageId: edited.messages[1]!.id }));
  const last = await caller.thread.messages({ threadId });
  await caller.feedback.set({ threadId, messageId: last.messages[1]!.id, rating: "bad", comment: "meh" });
  return threadId;
}

/** What a thread shows, branch by branch: every version of every message, switched to in turn. */
async function allBranches(caller: Awaited<ReturnType<typeof account>>["caller"], threadId: string) {
  const shown = (await caller.thread.messages({ threadId })).messages;
  return shown.map((m) => ({ id: m.id, branch: m.branch ?? null }));
}

const threadsOf = async (userId: string) =>
  (await t.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM threads WHERE user_id = ${userId}`)).rows[0]!.n;

describe("export and import", () => {
  it("round trip: a conversation exported and imported back has the same messages, branches and feedback, and goes on", async () => {
    const me = await account();
    const threadId = await branchy(me.caller);
    const exported = await me.exportJson(threadId);
    expect(exported).toMatchObject({ format: "threadline.conversation", version: 1 });
    const { messages } = exported.conversation;
    // Every branch: two first answers, two second questions, and the tool call with its result and usage.
    expect(messages.filter((m: { role: string }) => m.role === "user")).toHaveLength(3);
    expect(messages.filter((m: { role: string }) => m.role === "assistant")).toHaveLength(4);
    const tool = messages.flatMap((m: { parts?: { type: string }[] }) => m.parts ?? []).find((p: { type: string }) => p.type === "tool");
    expect(tool).toMatchObject({ name: "calculator", args: { expression: "6*7" }, result: { content: "42", isError: false } });
    expect(messages.find((m: { role: string }) => m.role === "assistant").usage).toEqual({ input: expect.any(Number), output: expect.any(Number) });
    expect(exported.conversation.feedback).toEqual([expect.objectContaining({ rating: "bad", comment: "meh" })]);

    const res = await me.import(JSON.stringify(exported));
    expect(res.status).toBe(200);
    const { imported } = await res.json();
    expect(imported).toHaveLength(1);
    const copy = imported[0].id;
    const again = await me.exportJson(copy);
    expect(again.conversation.messages).toEqual(messages);
    expect(again.conversation.currentMessageId).toBe(exported.conversation.currentMessageId);
    expect(again.conversation.feedback).toEqual(exported.conversation.feedback);
    expect(again.conversation.title).toBe(exported.conversation.title);

    // Versions switch as in the original.
    expect(await allBranches(me.caller, copy)).toEqual(await allBranches(me.caller, threadId));
    const first = (await me.caller.thread.messages({ threadId: copy })).messages[1]!;
    await me.caller.thread.switchBranch({ threadId: copy, messageId: first.branch!.previousId! });
    await me.caller.thread.switchBranch({ threadId, messageId: first.branch!.previousId! });
    expect(await allBranches(me.caller, copy)).toEqual(await allBranches(me.caller, threadId));
    // And the agent continues it.
    await succeeded(me.caller, me.caller.chat.send({ threadId: copy, text: "what is 9*9?" }));
    const after = (await me.caller.thread.messages({ threadId: copy })).messages;
    expect(after.at(-1)).toMatchObject({
      role: "assistant",
      parts: expect.arrayContaining([expect.objectContaining({ result: { content: "81", isError: false } })]),
    });
  });

  it("imports ChatGPT's conversations.json: its tree becomes branches, the current node the branch shown", async () => {
    const me = await account();
    const res = await me.import(CHATGPT);
    expect(res.status).toBe(200);
    const { imported } = await res.json();
    expect(imported.map((i: { title: string }) => i.title)).toEqual(["Trip to Lisbon", "Quick maths"]);
    const lisbon = await me.caller.thread.messages({ threadId: imported[0].id });
    const words = lisbon.messages.map((m) => (m.role === "user" ? m.text : m.parts.map((p) => (p.type === "text" ? p.text : "")).join(" | ")));
    expect(words).toEqual([
      "What should I see in Lisbon?",
      "Try the *Jerónimos Monastery*.",
      "How do I get there from the airport?",
      // The answer's two messages, a tool's output between them, are one answer.
      "Let me check the metro map. | Take the red metro line, then change to the yellow one.",
    ]);
    expect(lisbon.messages.map((m) => m.branch ?? null)).toEqual([
      { index: 0, count: 2, previousId: null, nextId: "u-1b" },
      { index: 1, count: 2, previousId: "a-1", nextId: null },
      { index: 0, count: 1, previousId: null, nextId: null },
      { index: 0, count: 1, previousId: null, nextId: null },
    ]);
    expect(lisbon.messages[1]).toMatchObject({ model: "gpt-4o" });
    // The other question's branch, switched to like a native one.
    await me.caller.thread.switchBranch({ threadId: imported[0].id, messageId: "u-1b" });
    const other = await me.caller.thread.messages({ threadId: imported[0].id });
    expect(other.messages.map((m) => m.id)).toEqual(["u-1b", "a-4"]);
    expect(await me.caller.search.conversations({ query: "nata" })).toMatchObject({ items: [expect.objectContaining({ threadId: imported[0].id })] });
    await succeeded(me.caller, me.caller.chat.send({ threadId: imported[1].id, text: "what is 12*12?" }));
    expect((await me.caller.thread.messages({ threadId: imported[1].id })).messages).toHaveLength(4);
  });

  it("imports nothing from a file with a bad conversation, and says which and why", async () => {
    const me = await account();
    const file = JSON.parse(CHATGPT.toString("utf8"));
    const broken = structuredClone(file[1]);
    broken.title = "Broken one";
    broken.mapping["q-1"].children = "r-1";
    const res = await me.import(JSON.stringify([...file, broken]));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: "Conversation 3 (“Broken one”) cannot be imported: mapping.q-1.children: Invalid input: expected array, received string. Nothing was imported.",
    });
    expect(await threadsOf(me.user.id)).toBe(0);

    const cycle = structuredClone(file[1]);
    cycle.mapping["root-2"].parent = "r-1";
    cycle.mapping["r-1"].children = ["root-2"];
    const looped = await me.import(JSON.stringify([file[0], file[1], cycle]));
    expect(looped.status).toBe(400);
    expect((await looped.json()).error).toBe(
      "Conversation 3 (“Quick maths”) cannot be imported: its messages have no first message (the tree is a cycle). Nothing was imported.",
    );

    const exported = await me.exportJson((await me.caller.thread.create()).id);
    const answerless = { ...exported, conversation: { ...exported.conversation, messages: [{ id: "x", parentId: "nowhere", role: "user", text: "hi" }] } };
    expect((await (await me.import(JSON.stringify(answerless))).json()).error).toBe(
      "Conversation 1 (“New chat”) cannot be imported: Message x follows a message that is not before it (nowhere). Nothing was imported.",
    );
    expect(await threadsOf(me.user.id)).toBe(1);

    for (const [body, error] of [
      ["not json at all", "The file is not JSON: choose a Threadline export (.json) or ChatGPT's conversations.json"],
      ['{"hello": "world"}', "This is not a file Threadline can import: choose a Threadline export (.json) or ChatGPT's conversations.json"],
      ["[]", "The file has no conversations in it"],
      ["", "The file is empty"],
      [new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), "The file is not JSON: choose a Threadline export (.json) or ChatGPT's conversations.json"],
    ] as const) {
      const refused = await me.import(body);
      expect({ status: refused.status, body: await refused.json() }).toEqual({ status: 400, body: { error } });
    }
    expect(await threadsOf(me.user.id)).toBe(1);
  });

  it("keeps whole conversations only when writing fails part way, and says how far it got", async () => {
    const me = await account();
    const real = me.agent.graph.updateState.bind(me.agent.graph);
    let calls = 0;
    // The first conversation takes 4 writes (its root, its 2 messages, the branch shown); the second fails on its first message.
    me.agent.graph.updateState = (async (...args: Parameters<typeof real>) => {
      if (++calls === 6) throw new Error("connection terminated");
      return real(...args);
    }) as typeof real;
    const quick = JSON.parse(CHATGPT.toString("utf8"))[1];
    const res = await me.import(JSON.stringify([quick, { ...quick, title: "Second" }]));
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 503,
      body: { error: "Conversation 2 (“Second”) could not be saved. The conversation before it was imported. Try importing the rest again." },
    });
    const { items } = await me.caller.thread.list({});
    expect(items.map((i) => i.title)).toEqual(["Quick maths"]);
    expect((await me.caller.thread.messages({ threadId: items[0]!.id })).messages.map((m) => m.id)).toEqual(["q-1", "r-1"]);
  });

  it("answers hostile files with a 4xx and a message, or imports them harmlessly, never a 500 or a polluted prototype", async () => {
    const me = await account();
    const quick = JSON.parse(CHATGPT.toString("utf8"))[1];
    const exported = await me.exportJson(await succeeded(me.caller, me.caller.chat.send({ text: "what is 6*7?" })));
    const nest = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
    const bodies = [
      nest(100_000),
      JSON.stringify([{ ...quick, mapping: { __proto__: { polluted: "yes" } } }]),
      '[{"mapping": {"__proto__": {"id": "__proto__", "children": [], "message": null}}, "title": "proto"}]',
      JSON.stringify([
        {
          ...quick,
          title: "nul \u0000 and \ud800 lone",
          mapping: {
            ...quick.mapping,
            "q-1": { ...quick.mapping["q-1"], message: { ...quick.mapping["q-1"].message, content: { content_type: "text", parts: ["a\u0000b \udc00"] } } },
          },
        },
      ]),
      JSON.stringify([
        {
          ...quick,
          mapping: {
            ...quick.mapping,
            "q-1": { ...quick.mapping["q-1"], message: { ...quick.mapping["q-1"].message, content: { content_type: "text", parts: ["x".repeat(200_001)] } } },
          },
        },
      ]),
      JSON.stringify([{ ...quick, mapping: { ...quick.mapping, "q-1": { ...quick.mapping["q-1"], children: ["q-1"] } } }]),
      JSON.stringify([{ ...quick, mapping: { ...quick.mapping, "r-1": { ...quick.mapping["r-1"], id: "\u0001bad" } } }]),
      JSON.stringify({ ...exported, conversation: { ...exported.conversation, messages: [{ id: "m", parentId: null, role: "system", text: "x" }] } }),
      JSON.stringify({
        ...exported,
        conversation: {
          ...exported.conversation,
          messages: Array.from({ length: 10_001 }, (_, i) => ({ id: `m${i}`, parentId: null, role: "user", text: "x" })),
        },
      }),
      JSON.stringify({
        ...exported,
        conversation: { ...exported.conversation, feedback: [{ messageId: "nope", rating: "good", comment: null, agent: "a", model: "m" }] },
      }),
      JSON.stringify({ format: "threadline.account", version: 2, conversations: [] }),
      JSON.stringify({ format: "threadline.account", version: 1, conversations: "all of them" }),
      "null",
      "42",
      '"a string"',
    ];
    const answers = [];
    for (const body of bodies) {
      const res = await me.import(body);
      const json = await res.json();
      answers.push({ status: res.status, imported: json.imported?.length ?? null, error: typeof json.error === "string" && json.error.length > 0 });
    }
    // Three are harmless: the two prototype keys make an empty conversation (skipped), and the third is cleaned.
    expect(answers.map((a) => `${a.status} ${a.imported ?? ""}${a.error ? "error" : ""}`)).toEqual([
      "400 error",
      "200 0",
      "200 0",
      "200 1",
      ...Array(11).fill("400 error"),
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The one harmless file: stored without what Postgres cannot hold.
    const { items } = await me.caller.thread.list({});
    const cleaned = items.find((i) => i.title.startsWith("nul"))!;
    expect(cleaned.title).toBe("nul  and \ufffd lone");
    expect((await me.caller.thread.messages({ threadId: cleaned.id })).messages[0]).toMatchObject({ text: "ab \ufffd" });
  });

  it("refuses a file over IMPORT_MAX_BYTES without reading it, and a cross-site upload", async () => {
    set({ IMPORT_MAX_BYTES: 1_000 });
    const me = await account();
    const big = await me.import(CHATGPT);
    expect({ status: big.status, body: await big.json() }).toEqual({
      status: 413,
      body: { error: "The file is too large: at most 1 KB can be imported at once" },
    });
    // Without a Content-Length, the body is read up to the limit and no further.
    let pulled = 0;
    const stream = new ReadableStream({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(600));
      },
    });
    const streamed = await importResponse(
      new Request("http://localhost/api/import", { method: "POST", body: stream, duplex: "half" } as RequestInit & { duplex: "half" }),
      me.deps,
    );
    expect(streamed.status).toBe(413);
    expect(pulled).toBeLessThanOrEqual(3);
    const crossSite = await me.import("[]", { origin: "https://evil.example" });
    expect(crossSite.status).toBe(403);
    expect(await threadsOf(me.user.id)).toBe(0);
  });

  it("answers another user's conversation exactly as a missing one, and a signed-out request with 401", async () => {
    const owner = await account();
    const threadId = await succeeded(owner.caller, owner.caller.chat.send({ text: "my secret plans" }));
    const other = await account();
    for (const format of ["json", "markdown"]) {
      const theirs = await other.exportOf(threadId, format);
      const missing = await other.exportOf(crypto.randomUUID(), format);
      const malformed = await other.exportOf("../../etc/passwd", format);
      const seen = async (r: Response) => ({ status: r.status, body: await r.text(), type: r.headers.get("content-type") });
      const expected = await seen(theirs);
      expect(expected).toEqual({ status: 404, body: JSON.stringify({ error: "Conversation not found" }), type: "application/json" });
      expect(await seen(missing)).toEqual(expected);
      expect(await seen(malformed)).toEqual(expected);
    }
    const signedOut: TransferDeps = { ...owner.deps, userOf: async () => null };
    const anonymous = await exportConversationResponse(new Request(`http://localhost/api/threads/${threadId}/export?format=json`), threadId, signedOut);
    expect({ status: anonymous.status, body: await anonymous.json() }).toEqual({ status: 401, body: { error: "Sign in to continue" } });
    expect((await exportAccountResponse(new Request("http://localhost/api/account/export"), signedOut)).status).toBe(401);
    expect((await importResponse(new Request("http://localhost/api/import", { method: "POST", body: "[]" }), signedOut)).status).toBe(401);
    expect((await owner.exportOf(threadId, "pdf")).status).toBe(400);
  });

  it("exports the branch shown as Markdown, as a download", async () => {
    const me = await account();
    const threadId = await succeeded(me.caller, me.caller.chat.send({ text: "what is 6*7?" }));
    await me.caller.thread.rename({ threadId, title: 'Sums: "6/7"' });
    const res = await me.exportOf(threadId, "markdown");
    expect(res.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="threadline-Sums 6 7.md"; filename*=UTF-8''threadline-Sums%206%207.md`);
    const text = await res.text();
    expect(text).toMatch(/^# Sums: "6\/7"\n\n## You\n\nwhat is 6\*7\?\n\n## Assistant\n\n> Tool `calculator` \{"expression":"6\*7"\} → 42\n\n/);
  });
});

describe("account export", () => {
  it("streams the account conversation by conversation, reading each page of threads as it goes", { timeout: 60_000 }, async () => {
    const me = await account();
    await addMemory(t.db, me.user.id, {
      kind: "fact",
      text: "I live in Lisbon",
      threadId: null,
      messageId: null,
      toolCallId: null,
      embedding: null,
      embeddingModel: null,
    });
    const answered = await succeeded(me.caller, me.caller.chat.send({ text: "what is 6*7?" }));
    const made: string[] = [];
    for (let i = 0; i < 44; i++) made.push((await createThread(t.db, me.user.id, `Conversation ${i}`)).id);
    // The newest first, as the sidebar lists them: the answered one is the oldest.
    const pieces = accountExport(t.db, registryOf(me.agent), me.user.id, 10);
    const received: string[] = [];
    while (!received.join("").includes('"conversations":[{')) received.push((await pieces.next()).value as string);
    // The export has begun and sent its first conversation: what it has not read yet changes now, and it sends what is there when it gets to it.
    await t.db.execute(sql`UPDATE threads SET title = 'Renamed while exporting' WHERE id = ${made[0]}`);
    await t.db.execute(sql`DELETE FROM threads WHERE id = ${made[1]}`);
    for await (const piece of pieces) received.push(piece);
    const file = JSON.parse(received.join(""));
    expect(file).toMatchObject({ format: "threadline.account", version: 1, memories: [expect.objectContaining({ text: "I live in Lisbon" })] });
    const titles = file.conversations.map((c: { title: string }) => c.title);
    expect(titles).toHaveLength(44);
    expect(titles).toContain("Renamed while exporting");
    expect(titles).not.toContain("Conversation 1");
    // One piece per conversation at most: none is held back to be sent with the others.
    expect(received.filter((p) => p.includes('"currentMessageId"')).every((p) => p.split('"currentMessageId"').length === 2)).toBe(true);
    expect(file.conversations.at(-1).messages.map((m: { role: string }) => m.role)).toEqual(["user", "assistant"]);
    expect(file.conversations.at(-1).title).toBe((await me.caller.thread.get({ threadId: answered })).title);

    // Through the route: a download, whose body is that stream; importing it back brings every conversation with messages.
    const res = await exportAccountResponse(new Request("http://localhost/api/account/export"), me.deps);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="threadline-export-\d{4}-\d{2}-\d{2}\.json"$/);
    const whole = await res.text();
    const other = await account();
    const imported = await other.import(whole);
    expect(imported.status).toBe(200);
    // Conversations without a message have nothing to bring back.
    const { imported: threads, skipped } = await imported.json();
    expect({ threads: threads.length, skipped }).toEqual({ threads: 1, skipped: 43 });
    expect((await other.exportJson(threads[0].id)).conversation.messages).toEqual(file.conversations.at(-1).messages);
  });
});

describe("account export of attachments", () => {
  it("lists each of the user's files with the messages it was sent with, never its bytes, and nobody else's", async () => {
    const me = await account();
    const file = await saveAttachment(t.db, me.user.id, { name: "notes.txt", bytes: new TextEncoder().encode("first line\nsecond") });
    const threadId = await succeeded(me.caller, me.caller.chat.send({ text: "read this", attachments: [file.id] }));
    const other = await account();
    await saveAttachment(t.db, other.user.id, { name: "theirs.txt", bytes: new TextEncoder().encode("not yours") });
    const exported = await (await exportAccountResponse(new Request("http://localhost/api/account/export"), me.deps)).json();
    expect(exported.attachments).toEqual([
      expect.objectContaining({
        id: file.id,
        name: "notes.txt",
        kind: "document",
        mediaType: "text/plain",
        size: 17,
        messages: [expect.objectContaining({ threadId, name: "notes.txt" })],
      }),
    ]);
    expect(JSON.stringify(exported.attachments)).not.toContain("first line");
  });
});

describe("attachments through export and import", () => {
  it("come back on an import of one's own export, linked to the imported message; another user's import drops them", async () => {
    const me = await account();
    const file = await saveAttachment(t.db, me.user.id, { name: "notes.txt", bytes: new TextEncoder().encode("first line\nsecond") });
    const threadId = await succeeded(me.caller, me.caller.chat.send({ text: "read this", attachments: [file.id] }));
    const exported = await me.exportJson(threadId);
    const filesOf = (messages: { role: string; attachments?: { id: string }[] }[]) => messages.filter((m) => m.role === "user").map((m) => m.attachments ?? []);
    expect(filesOf(exported.conversation.messages)).toEqual([[expect.objectContaining({ id: file.id, name: "notes.txt" })]]);

    const { imported } = await (await me.import(JSON.stringify(exported))).json();
    const back = await me.exportJson(imported[0].id);
    expect(filesOf(back.conversation.messages)).toEqual(filesOf(exported.conversation.messages));
    const links = await t.pool.query("SELECT attachment_id FROM message_attachments WHERE thread_id = $1", [imported[0].id]);
    expect(links.rows).toEqual([{ attachment_id: file.id }]);

    const other = await account();
    const theirs = (await (await other.import(JSON.stringify(exported))).json()).imported[0].id;
    expect(filesOf((await other.exportJson(theirs)).conversation.messages)).toEqual([[]]);
    expect((await t.pool.query("SELECT 1 FROM message_attachments WHERE thread_id = $1", [theirs])).rowCount).toBe(0);
  });
});
