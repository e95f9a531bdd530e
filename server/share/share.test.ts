import type { BaseMessage } from "@langchain/core/messages";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { testAgent } from "@/scripts/testing/agent";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { succeeded } from "@/scripts/testing/events";
import { failure } from "@/scripts/testing/failure";
import { signedInCaller } from "@/scripts/testing/users";
import { ScriptedChatModel } from "@/server/agent/scripted-model";
import { textOf } from "@/lib/text";
import { readShare } from "./store";

const t = testDatabaseForFile();

/** A conversation of two turns, the second answer by the calculator. */
async function conversation() {
  const owner = await signedInCaller(t);
  const threadId = await succeeded(owner.caller, owner.caller.chat.send({ text: "hello there" }));
  await succeeded(owner.caller, owner.caller.chat.send({ threadId, text: "what is 6*7?" }));
  return { ...owner, threadId };
}

const texts = (messages: { role: string; text?: string; parts?: { type: string; text?: string }[] }[]) =>
  messages.map((m) => (m.role === "user" ? m.text : m.parts!.map((p) => (p.type === "text" ? p.text : `[${p.type}]`)).join("")));

describe("share links", () => {
  it("publishes the branch shown as it was when shared, until the link is updated", async () => {
    const { caller, threadId } = await conversation();
    expect(await caller.share.ofThread({ threadId })).toBeNull();
    const share = await caller.share.create({ threadId });
    expect(share.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(share.path).toBe(`/share/${share.id}`);
    expect(await caller.share.create({ threadId })).toEqual(share);
    const shown = await caller.thread.messages({ threadId });
    const published = await readShare(t.db, share.id);
    expect(texts(published!.messages)).toEqual(texts(shown.messages));
    expect(published!.messages.every((m) => m.branch === undefined)).toBe(true);

    // An edit after sharing makes a new branch: the link still shows the old one.
    await succeeded(caller, caller.chat.edit({ threadId, messageId: shown.messages[2]!.id, text: "what is 2+3?" }));
    expect(texts((await readShare(t.db, share.id))!.messages)).toEqual(texts(shown.messages));
    await caller.thread.rename({ threadId, title: "Arithmetic" });

    const updated = await caller.share.update({ threadId });
    expect(updated.id).toBe(share.id);
    const now = await readShare(t.db, share.id);
    expect(now!.title).toBe("Arithmetic");
    expect(texts(now!.messages)).toEqual(texts((await caller.thread.messages({ threadId })).messages));
    expect(texts(now!.messages)[2]).toBe("what is 2+3?");
  });

  it("stops sharing: the link is gone, as one that never existed, and it is off the user's list", async () => {
    const { caller, threadId } = await conversation();
    const share = await caller.share.create({ threadId });
    expect((await caller.share.list()).map((s) => s.id)).toEqual([share.id]);
    await caller.share.stop({ threadId });
    expect(await readShare(t.db, share.id)).toBeNull();
    expect(await caller.share.list()).toEqual([]);
    expect(await caller.share.ofThread({ threadId })).toBeNull();
    expect(await failure(caller.share.stop({ threadId }))).toMatchObject({ code: "NOT_FOUND", message: "This conversation is not shared" });
    expect(await failure(caller.share.update({ threadId }))).toMatchObject({ code: "NOT_FOUND", message: "This conversation is not shared" });
    // A new link is a new secret: the old one stays dead.
    const again = await caller.share.create({ threadId });
    expect(again.id).not.toBe(share.id);
    expect(await readShare(t.db, share.id)).toBeNull();
  });

  it("goes with its conversation, and with its owner's account", async () => {
    const { caller, user, threadId } = await conversation();
    const share = await caller.share.create({ threadId });
    await caller.thread.delete({ threadId });
    expect(await readShare(t.db, share.id)).toBeNull();
    const other = await conversation();
    const second = await other.caller.share.create({ threadId: other.threadId });
    await other.caller.account.delete({ email: other.user.email });
    expect(await readShare(t.db, second.id)).toBeNull();
    const left = await t.db.execute(sql`SELECT count(*)::int AS n FROM shares WHERE user_id IN (${user.id}, ${other.user.id})`);
    expect(left.rows[0]).toEqual({ n: 0 });
  });

  it("continues a shared conversation in the viewer's account: a real conversation the agent goes on from", async () => {
    const { caller, threadId } = await conversation();
    const share = await caller.share.create({ threadId });
    const seen: BaseMessage[][] = [];
    const model = new ScriptedChatModel(
      (messages) => {
        seen.push(messages);
        return { text: "continuing" };
      },
      { tokenDelayMs: 0 },
    );
    const viewer = await signedInCaller(t, testAgent(t.pool, model));
    const copy = await viewer.caller.share.continue({ shareId: share.id });
    expect(copy.id).not.toBe(threadId);
    expect((await viewer.caller.thread.list({})).items.map((i) => i.id)).toEqual([copy.id]);
    const original = await caller.thread.messages({ threadId });
    const copied = await viewer.caller.thread.messages({ threadId: copy.id });
    expect(copied.messages.map(({ branch: _b, memories: _m, ...rest }: Record<string, unknown>) => rest)).toEqual(
      original.messages.map(({ branch: _b, memories: _m, ...rest }: Record<string, unknown>) => rest),
    );
    expect(copied.interrupted).toBe(false);

    await succeeded(viewer.caller, viewer.caller.chat.send({ threadId: copy.id, text: "and then?" }));
    const history = seen.at(-1)!.filter((m) => m.getType() !== "system");
    expect(history.map((m) => textOf(m))).toContain("what is 6*7?");
    expect(history.at(-1)!.getType()).toBe("human");
    expect(textOf(history.at(-1)!)).toBe("and then?");
    const after = await viewer.caller.thread.messages({ threadId: copy.id });
    expect(texts(after.messages).slice(-2)).toEqual(["and then?", "continuing"]);
    // The copy's messages are searchable in the viewer's account, as any conversation's.
    expect((await viewer.caller.search.conversations({ query: "hello" })).items.map((h) => h.threadId)).toContain(copy.id);
    // The first message can be edited in the copy, as in a native conversation.
    await succeeded(viewer.caller, viewer.caller.chat.edit({ threadId: copy.id, messageId: after.messages[0]!.id, text: "hi again" }));
    const edited = await viewer.caller.thread.messages({ threadId: copy.id });
    expect(edited.messages[0]!.branch).toMatchObject({ index: 1, count: 2 });
    // The owner's conversation is untouched.
    expect(await caller.thread.messages({ threadId })).toEqual(original);
  });

  it("refuses a link that is stopped exactly as one that never existed, and a malformed one clearly", async () => {
    const { caller, threadId } = await conversation();
    const share = await caller.share.create({ threadId });
    await caller.share.stop({ threadId });
    const viewer = await signedInCaller(t);
    const stopped = await failure(viewer.caller.share.continue({ shareId: share.id }));
    const never = await failure(viewer.caller.share.continue({ shareId: "A".repeat(22) }));
    expect(stopped).toMatchObject({ code: "NOT_FOUND", message: "This shared conversation does not exist" });
    expect({ code: never.code, message: never.message }).toEqual({ code: stopped.code, message: stopped.message });
    expect(await failure(viewer.caller.share.continue({ shareId: "../etc" }))).toMatchObject({
      code: "BAD_REQUEST",
      message: "shareId: Not a valid share link",
    });
  });
});
