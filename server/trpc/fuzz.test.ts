/**
 * Hostile input for every procedure: wrong types, huge strings, control characters, invalid ids,
 * prototype-pollution keys, deep nesting, lone surrogates, dates out of range, direction controls. Each call either succeeds on the caller's own data or is
 * refused with a 4xx-class error and a message; never an internal error, never a change to
 * another user's data, never a polluted prototype.
 */
import { TRPCError } from "@trpc/server";
import { expect, it } from "vitest";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { subscribeEvents } from "@/scripts/testing/events";
import { invoke, procedures } from "@/scripts/testing/procedures";
import { sessionFor, signedInCaller, testContext } from "@/scripts/testing/users";
import { config } from "@/server/config";
import { guardTrpcRequest } from "@/server/security/request-guard";
import { appRouter } from "./root";
import { addMemory } from "@/server/memory/store";

const t = testDatabaseForFile();

const deep = (depth: number): unknown => (depth === 0 ? "bottom" : { a: deep(depth - 1) });
const HOSTILE: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1e308,
  Number.NaN,
  true,
  "",
  " ",
  "x".repeat(1_000_000),
  "\u0000\u0001\u0007\u001b[31m\u202e\uFEFF",
  "' OR 1=1 --",
  "../../etc/passwd",
  "<script>alert(1)</script>",
  "00000000-0000-0000-0000-000000000000",
  "not-a-uuid",
  [],
  ["a", 1],
  {},
  JSON.parse('{"__proto__": {"polluted": "yes"}}'),
  { constructor: { prototype: { polluted: "yes" } } },
  deep(500),
  // Lone UTF-16 surrogates, which Postgres cannot store, alone and deep in a value, keys included.
  "hello \ud800 world",
  "\udc00",
  "cut pair \ud83d",
  { text: "\ud800", deeper: [{ "\udfff": "x" }] },
  { type: "edit", args: { text: "note \ud800", more: ["\udc00"] } },
  // Dates Postgres or JavaScript cannot hold, alone and as a cursor.
  new Date(Number.NaN),
  new Date(8.64e15),
  new Date(-8.64e15),
  new Date("0000-01-01T00:00:00Z"),
  { updatedAt: new Date(8.64e15), id: "00000000-0000-0000-0000-000000000000" },
  { updatedAt: new Date("0000-01-01T00:00:00Z"), id: "00000000-0000-0000-0000-000000000000" },
  { rank: 1e308, at: new Date(), id: "00000000-0000-0000-0000-000000000000" },
  { rank: -1, at: new Date(8.64e15), id: "00000000-0000-0000-0000-000000000000" },
  // Search syntax that a hand-written parser might choke on: websearch_to_tsquery takes all of it.
  '"unclosed quote -"" or or - & | ! <-> :* (()',
  // Direction controls and invisible characters: harmless in a message, removed from titles.
  "invoice\u202Egpj.exe",
  "\u2066\u200B\u2060\uFEFF\u061C",
];

/** Direction controls and zero-width characters that no title may keep. */
const HIDDEN_IN_TITLES = /[\u061C\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/;

/** A valid input for each procedure (ids of the caller's own thread), whose fields are then replaced. */
function shapes(own: {
  threadId: string;
  runId: string;
  messageId: string;
  answerId: string;
  memoryId: string;
  shareId: string;
}): Record<string, Record<string, unknown> | undefined> {
  // First: what comes later (edits, regenerations) moves the thread to other branches, where the answer is not shown.
  return {
    "feedback.ofThread": { threadId: own.threadId },
    "feedback.set": { threadId: own.threadId, messageId: own.answerId, rating: "bad", comment: "fuzz" },
    "thread.list": { limit: 10, cursor: null },
    "thread.get": { threadId: own.threadId },
    "thread.create": { title: "fuzz", temporary: false, agentId: "assistant" },
    "thread.setModel": { threadId: own.threadId, modelId: "test" },
    "thread.rename": { threadId: own.threadId, title: "fuzz" },
    "thread.activity": undefined,
    "thread.messages": { threadId: own.threadId },
    "thread.switchBranch": { threadId: own.threadId, messageId: own.messageId },
    "thread.delete": { threadId: crypto.randomUUID() },
    "chat.send": { threadId: own.threadId, text: "fuzz", temporary: false, attachments: [] },
    "chat.retry": { threadId: own.threadId },
    "chat.edit": { threadId: own.threadId, messageId: own.messageId, text: "fuzz" },
    "chat.regenerate": { threadId: own.threadId, messageId: own.messageId },
    "chat.decide": { threadId: own.threadId, toolCallId: "call_x", decision: { type: "reject", reason: "fuzz" } },
    "chat.stop": { threadId: own.threadId },
    "chat.events": { runId: own.runId, lastEventId: null },
    "chat.model": { threadId: own.threadId },
    "chat.agents": undefined,
    "memory.list": { query: "fuzz", limit: 10, cursor: null },
    "memory.byIds": { ids: [own.memoryId] },
    "memory.update": { id: own.memoryId, text: "fuzz", kind: "fact" },
    "memory.delete": { id: crypto.randomUUID() },
    "memory.deleteAll": undefined,
    "memory.settings": undefined,
    "memory.setUseMemory": { useMemory: true },
    "search.conversations": { query: "fuzz", limit: 10, cursor: null },
    "account.get": undefined,
    // Never the right password nor the caller's email: the fuzzing caller keeps its account.
    "account.changePassword": { currentPassword: "not-the-password", newPassword: "fuzz-password-1" },
    "account.signOutEverywhere": undefined,
    "account.delete": { email: "not-the-owner@example.com" },
    "share.ofThread": { threadId: own.threadId },
    "share.create": { threadId: own.threadId },
    "share.update": { threadId: own.threadId },
    "share.list": undefined,
    "share.continue": { shareId: own.shareId },
    // Last: the caller's link goes.
    "share.stop": { threadId: own.threadId },
  };
}

const ALLOWED = ["BAD_REQUEST", "NOT_FOUND", "CONFLICT", "PAYLOAD_TOO_LARGE", "UNPROCESSABLE_CONTENT", "TOO_MANY_REQUESTS"];

it("refuses hostile input to every procedure cleanly, and touches nothing of anyone else's", { timeout: 120_000 }, async () => {
  const victim = await signedInCaller(t);
  const theirs = await victim.caller.chat.send({ text: "what is 2+2?" });
  await subscribeEvents(victim.caller, theirs.runId);
  await addMemory(t.db, victim.user.id, {
    kind: "fact",
    text: "the victim's memory",
    threadId: null,
    messageId: null,
    toolCallId: null,
    embedding: null,
    embeddingModel: null,
  });
  await victim.caller.share.create({ threadId: theirs.threadId });
  const victimState = () =>
    Promise.all([
      victim.caller.thread.messages({ threadId: theirs.threadId }),
      victim.caller.memory.list({}),
      victim.caller.memory.settings(),
      victim.caller.share.list(),
    ]);
  const before = await victimState();

  const { caller, user } = await signedInCaller(t);
  const own = await caller.chat.send({ text: "what is 3+3?" });
  await subscribeEvents(caller, own.runId);
  const [messageId, answerId] = (await caller.thread.messages({ threadId: own.threadId })).messages.map((m) => m.id);
  const memoryId = (
    await addMemory(t.db, user.id, { kind: "fact", text: "mine", threadId: null, messageId: null, toolCallId: null, embedding: null, embeddingModel: null })
  ).id;
  const { id: shareId } = await caller.share.create({ threadId: own.threadId });
  const valid = shapes({ threadId: own.threadId, runId: own.runId, messageId: messageId!, answerId: answerId!, memoryId, shareId });
  expect(Object.keys(valid).sort()).toEqual(Object.keys(procedures()).sort());

  const failures: string[] = [];
  let refused = 0;
  for (const [path, shape] of Object.entries(valid)) {
    if (path === "thread.activity") continue; // takes no input, and waits for activity: nothing to fuzz
    const inputs: unknown[] = [...HOSTILE, ...(shape ? Object.keys(shape).flatMap((key) => HOSTILE.map((value) => ({ ...shape, [key]: value }))) : [])];
    if (shape)
      inputs.push({ ...shape, extra: "field", __proto__: { polluted: "yes" } }, Object.assign(JSON.parse('{"__proto__": {"polluted": "yes"}}'), shape));
    for (const input of inputs) {
      try {
        await invoke(caller, path, input);
      } catch (err) {
        const e = err as TRPCError;
        refused++;
        if (!(err instanceof TRPCError) || !ALLOWED.includes(e.code) || !e.message || /\n\s+at /.test(e.message)) {
          failures.push(`${path} ${JSON.stringify(input)?.slice(0, 80)} → ${e.code ?? ""} ${String(e.message).slice(0, 120)}`);
        }
      }
    }
  }
  expect(failures).toEqual([]);
  expect(refused).toBeGreaterThan(200);
  const titles = (await caller.thread.list({ limit: 50 })).items.map((thread) => thread.title);
  expect(titles.filter((title) => HIDDEN_IN_TITLES.test(title))).toEqual([]);
  expect(titles).toContain("invoicegpj.exe");
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty("polluted");

  // Runs the fuzzing started finish before the database goes away; the other user's thread is as it was.
  await expect.poll(async () => (await t.pool.query("SELECT count(*)::int AS n FROM runs WHERE status = 'running'")).rows[0].n, { timeout: 30_000 }).toBe(0);
  expect(await victimState()).toEqual(before);
});

it("answers hostile HTTP requests with a 4xx and a readable message, never a 500", async () => {
  const { user } = await signedInCaller(t);
  const ctx = testContext(t, sessionFor(user.id));
  const bodies = [
    "",
    "not json",
    "{",
    "[]",
    "null",
    '{"json": {"text": 5}}',
    '{"__proto__": {"polluted": "yes"}}',
    JSON.stringify({ json: { text: "x".repeat(100_000) } }),
    '{"json": {"text": "hello \\ud800 world"}}',
    '{"json": {"text": {"\\udc00": 1}}}',
    '{"json": {"text": "x"}, "meta": {"values": {"text": ["Date"]}}}',
  ];
  const post = (body: string) => new Request("http://localhost/api/trpc/chat.send", { method: "POST", body, headers: { "content-type": "application/json" } });
  // Dates as superjson sends them, outside what Postgres holds, or no date at all.
  const cursors = ["0000-01-01T00:00:00.000Z", "+275760-09-13T00:00:00.000Z", "-271821-04-20T00:00:00.000Z", "not a date"].map((updatedAt) =>
    JSON.stringify({ json: { cursor: { updatedAt, id: crypto.randomUUID() } }, meta: { values: { "cursor.updatedAt": ["Date"] } } }),
  );
  const requests = [
    ...bodies.map((body) => ({ body, req: post(body) })),
    ...cursors.map((body) => ({ body, req: new Request(`http://localhost/api/trpc/thread.list?input=${encodeURIComponent(body)}`) })),
  ];
  for (const { body, req } of requests) {
    const res = await fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => ctx });
    const text = await res.text();
    expect({ body: body.slice(0, 80), status: res.status >= 400 && res.status < 500 }).toEqual({ body: body.slice(0, 80), status: true });
    expect(JSON.parse(text).error.json.message).toBeTruthy();
    expect(text).not.toMatch(/\.ts:\d+|\n\s+at /);
  }
  const unknown = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request("http://localhost/api/trpc/nope.nothing"),
    router: appRouter,
    createContext: () => ctx,
  });
  expect(unknown.status).toBe(404);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

it("refuses a batch of more calls than TRPC_MAX_BATCH_SIZE before any of them runs, over POST and GET", async () => {
  const { caller, user } = await signedInCaller(t);
  const ctx = testContext(t, sessionFor(user.id));
  const handle = async (req: Request) => {
    const guarded = await guardTrpcRequest(req);
    return guarded instanceof Response ? guarded : fetchRequestHandler({ endpoint: "/api/trpc", req: guarded, router: appRouter, createContext: () => ctx });
  };
  const all = Object.entries(procedures());
  const mutations = all.filter(([, kind]) => kind === "mutation").map(([path]) => path);
  const queries = all.filter(([, kind]) => kind === "query").map(([path]) => path);
  const over = config().TRPC_MAX_BATCH_SIZE + 1;
  const fill = (paths: string[]) => Array.from({ length: over }, (_, i) => paths[i % paths.length]!);
  const inputs = (n: number) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [i, { json: HOSTILE[i % HOSTILE.length] ?? {} }])));
  const batches = [
    new Request(`http://localhost/api/trpc/${fill(mutations).join(",")}?batch=1`, {
      method: "POST",
      body: inputs(over),
      headers: { "content-type": "application/json" },
    }),
    new Request(`http://localhost/api/trpc/${fill(["thread.create"]).join(",")}?batch=1`, {
      method: "POST",
      body: inputs(over),
      headers: { "content-type": "application/json" },
    }),
    new Request(`http://localhost/api/trpc/${encodeURIComponent(fill(queries).join(","))}?batch=1&input=${encodeURIComponent(inputs(over))}`),
  ];
  for (const req of batches) {
    const res = await handle(req);
    expect(res.status).toBe(400);
    expect((await res.json()).error.json.message).toBe(`Too many calls in one request (${over}; at most ${over - 1})`);
  }
  expect((await caller.thread.list({})).items).toEqual([]);
});
