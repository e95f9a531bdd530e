/** Input that Postgres cannot store, or that would mislead a reader, refused or tidied before any query. */
import { describe, expect, it } from "vitest";
import { ScriptedChatModel } from "@/server/agent/scripted-model";
import { makeTitle } from "@/server/agent/title";
import { testAgent } from "@/scripts/testing/agent";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { subscribeEvents } from "@/scripts/testing/events";
import { failure } from "@/scripts/testing/failure";
import { signedInCaller } from "@/scripts/testing/users";

const t = testDatabaseForFile();

const refusal = async (call: Promise<unknown>) => {
  const e = await failure(call);
  return [e.code, e.message];
};

describe("strings that are not well-formed UTF-16", () => {
  const NOT_UNICODE = "contains characters that are not valid Unicode";

  it("are refused in every string input with a 400 that names the field", async () => {
    const { caller } = await signedInCaller(t);
    const own = await caller.chat.send({ text: "what is 3+3?" });
    await subscribeEvents(caller, own.runId);
    const { threadId } = own;
    const messageId = (await caller.thread.messages({ threadId })).messages[0]!.id;

    expect(await refusal(caller.chat.send({ text: "hello \ud800 world" }))).toEqual(["BAD_REQUEST", `text: Message ${NOT_UNICODE}`]);
    expect(await refusal(caller.chat.send({ threadId, text: "a lone low \udc00 half" }))).toEqual(["BAD_REQUEST", `text: Message ${NOT_UNICODE}`]);
    expect(await refusal(caller.chat.edit({ threadId, messageId, text: "\udfff" }))).toEqual(["BAD_REQUEST", `text: Message ${NOT_UNICODE}`]);
    expect(await refusal(caller.thread.create({ title: "x\ud83d" }))).toEqual(["BAD_REQUEST", `title: Title ${NOT_UNICODE}`]);
    expect(await refusal(caller.thread.rename({ threadId, title: "\ude00x" }))).toEqual(["BAD_REQUEST", `title: Title ${NOT_UNICODE}`]);
    expect(await refusal(caller.chat.regenerate({ threadId, messageId: "m\ud800" }))).toEqual(["BAD_REQUEST", `messageId: Message id ${NOT_UNICODE}`]);
    expect(await refusal(caller.chat.decide({ threadId, toolCallId: "call\ud800", decision: { type: "approve" } }))).toEqual([
      "BAD_REQUEST",
      `toolCallId: Action id ${NOT_UNICODE}`,
    ]);
    expect(await refusal(caller.chat.decide({ threadId, toolCallId: "call_x", decision: { type: "reject", reason: "no \ud800" } }))).toEqual([
      "BAD_REQUEST",
      `decision.reason: The reason ${NOT_UNICODE}`,
    ]);
    expect(await refusal(caller.chat.events({ runId: own.runId, lastEventId: `${own.runId}:\ud800` }))).toEqual([
      "BAD_REQUEST",
      `lastEventId: Event id ${NOT_UNICODE}`,
    ]);
    // A surrogate pair is one character, and welcome.
    expect((await caller.thread.create({ title: "Party \ud83c\udf89" })).title).toBe("Party 🎉");
  });

  it("are refused anywhere in an edited action's arguments, keys included, and the action stays pending", async () => {
    const { caller } = await signedInCaller(t);
    const sent = await caller.chat.send({ text: "remember that milk is low" });
    expect((await subscribeEvents(caller, sent.runId)).at(-1)!.event).toMatchObject({ status: "paused" });
    const { threadId } = sent;
    const [pending] = (await caller.thread.messages({ threadId })).approvals;
    const edit = (args: Record<string, unknown>) => caller.chat.decide({ threadId, toolCallId: pending!.toolCallId, decision: { type: "edit", args } });
    for (const args of [{ text: "oat \ud800 milk" }, { text: "oat milk", more: { deeper: ["\udc00"] } }, { text: "oat milk", "\ud800": 1 }]) {
      expect(await refusal(edit(args))).toEqual(["BAD_REQUEST", `decision.args: The arguments ${NOT_UNICODE}`]);
    }
    expect((await caller.thread.messages({ threadId })).approvals).toMatchObject([{ status: "pending" }]);
    expect((await edit({ text: "oat milk 🥛" })).status).toBe("edited");
  });
});

describe("dates", () => {
  it("outside the years 1 to 9999 are refused as a cursor with a 400, not sent to Postgres", async () => {
    const { caller } = await signedInCaller(t);
    const id = crypto.randomUUID();
    for (const updatedAt of [new Date("0000-06-01T00:00:00Z"), new Date(8.64e15), new Date(-8.64e15), new Date("+010000-01-01T00:00:00Z")]) {
      const [code, message] = await refusal(caller.thread.list({ cursor: { updatedAt, id } }));
      expect({ updatedAt, code, message }).toEqual({ updatedAt, code: "BAD_REQUEST", message: expect.stringMatching(/^cursor\.updatedAt: /) });
    }
    for (const updatedAt of [new Date("0001-01-01T00:00:00Z"), new Date("9999-12-31T23:59:59.999Z")]) {
      expect(await caller.thread.list({ cursor: { updatedAt, id } })).toEqual({ items: [], nextCursor: null });
    }
  });
});

describe("titles", () => {
  const SPOOF = "invoice\u202Egpj.exe";
  const HIDDEN = ["\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069", "\u200E", "\u200F", "\u061C"];
  const ZERO_WIDTH = ["\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF"];

  it("lose their direction controls and zero-width characters, whether the user gives them or they are made", async () => {
    const { caller } = await signedInCaller(t);
    expect((await caller.thread.create({ title: SPOOF })).title).toBe("invoicegpj.exe");
    const thread = await caller.thread.create({ title: [...HIDDEN, ...ZERO_WIDTH].map((c, i) => `${c}${i}`).join("") });
    expect(thread.title).toBe("012345678910111213141516");
    expect((await caller.thread.rename({ threadId: thread.id, title: `pay ${SPOOF}` })).title).toBe("pay invoicegpj.exe");
    expect(await refusal(caller.thread.rename({ threadId: thread.id, title: ` ${ZERO_WIDTH.join("")}\u202E ` }))).toEqual([
      "BAD_REQUEST",
      "title: Title cannot be empty",
    ]);

    // Made from the first message by the offline model, and by a model that writes one.
    const sent = await caller.chat.send({ text: `open ${SPOOF} now` });
    await subscribeEvents(caller, sent.runId);
    expect((await caller.thread.get({ threadId: sent.threadId })).title).toBe("Open invoicegpj.exe now");
    const writer = new ScriptedChatModel(() => ({ text: `Your ${SPOOF}\u200B` }), { tokenDelayMs: 0 });
    expect(await makeTitle(testAgent(t.pool, writer, { provider: "openai" }), "hello")).toBe("Your invoicegpj.exe");
  });

  it("keep the joiners inside emoji sequences", async () => {
    const { caller } = await signedInCaller(t);
    const family = "\u{1F468}\u200D\u{1F469}\u200D\u{1F467}";
    const thumbs = "\u{1F44D}\u{1F3FD}\u200D\u2642\uFE0F";
    expect((await caller.thread.create({ title: `${family} ${thumbs} a\u200Db` })).title).toBe(`${family} ${thumbs} ab`);
  });
});
