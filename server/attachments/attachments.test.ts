import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { cookieFor, fetchAttachment, minimalPdf, TINY_PNG, upload, uploaded } from "@/scripts/testing/attachments";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { subscribeEvents, succeeded } from "@/scripts/testing/events";
import { settingsPerTest } from "@/scripts/testing/settings";
import { signedInCaller } from "@/scripts/testing/users";
import { CHECKPOINT_SCHEMA } from "@/server/agent/checkpointer";
import type { AttachmentRef } from "@/lib/attachments";
import { runs } from "@/db/schema";
import { testAgent } from "@/scripts/testing/agent";
import { resumeRun } from "@/server/runs/execute";
import { claimStaleRuns, getRun } from "@/server/runs/store";
import { attachmentResponse } from "./http";
import { linkAttachments, sweepUnsentAttachments } from "./store";

const t = testDatabaseForFile();
const set = settingsPerTest();
beforeEach(() => set({ AUTH_SECRET: "attachments-test-secret-attachments-test-secret" }));

async function user() {
  const { caller, user } = await signedInCaller(t);
  return { caller, user, cookie: await cookieFor(t, user.id) };
}

const refusal = async (res: Response) => [res.status, ((await res.json()) as { error: string }).error];
const rows = async (userId: string) =>
  (
    await t.pool.query<{ id: string; name: string; kind: string; media_type: string; text: string | null }>(
      "SELECT id, name, kind, media_type, text FROM attachments WHERE user_id = $1 ORDER BY created_at",
      [userId],
    )
  ).rows;
const exists = async (id: string) => (await t.pool.query("SELECT 1 FROM attachments WHERE id = $1", [id])).rowCount === 1;

describe("uploading a file", () => {
  it("takes images by their bytes and documents by their name, and extracts a PDF's text", async () => {
    const { user: u, cookie } = await user();
    // A PNG under a JPEG name is a PNG: the bytes decide, not the name or the browser's type.
    expect(await uploaded(t, cookie, "cat.jpg", TINY_PNG)).toMatchObject({ name: "cat.jpg", kind: "image", mediaType: "image/png", size: TINY_PNG.length });
    expect(await uploaded(t, cookie, "notes.md", "# Plan\nship it")).toMatchObject({ kind: "document", mediaType: "text/markdown", size: 14 });
    expect(await uploaded(t, cookie, "data.csv", "a,b\n1,2")).toMatchObject({ mediaType: "text/csv" });
    expect(await uploaded(t, cookie, "main.py", "print('hi')")).toMatchObject({ mediaType: "text/plain" });
    expect(await uploaded(t, cookie, "report.pdf", minimalPdf("Quarterly revenue is up"))).toMatchObject({ kind: "document", mediaType: "application/pdf" });
    expect((await rows(u.id)).find((r) => r.name === "report.pdf")?.text).toBe("Quarterly revenue is up");
  });

  it("refuses anything else with an error that names the file, and stores nothing", async () => {
    const { user: u, cookie } = await user();
    expect(await refusal(await upload(t, cookie, "setup.exe", "MZ\u0090\u0000"))).toEqual([400, expect.stringContaining("“setup.exe” can't be attached")]);
    expect(await refusal(await upload(t, cookie, "photo.png", "not an image at all"))).toEqual([400, "“photo.png” is not a PNG, JPEG, WebP or GIF image."]);
    expect(await refusal(await upload(t, cookie, "paper.pdf", "plain text"))).toEqual([400, "“paper.pdf” is not a valid PDF."]);
    expect(await refusal(await upload(t, cookie, "broken.pdf", "%PDF-1.4 and then nothing"))).toEqual([400, "“broken.pdf” could not be read as a PDF."]);
    expect(await refusal(await upload(t, cookie, "binary.txt", new Uint8Array([0x68, 0x00, 0xff, 0xfe])))).toEqual([
      400,
      "“binary.txt” is not a text file (it is not UTF-8 text).",
    ]);
    expect(await refusal(await upload(t, cookie, "empty.txt", ""))).toEqual([400, "“empty.txt” is empty."]);
    expect(await rows(u.id)).toEqual([]);
  });

  it("refuses a file over ATTACHMENT_MAX_BYTES while reading it, without reading the rest", async () => {
    set({ ATTACHMENT_MAX_BYTES: 1024 });
    const { user: u, cookie } = await user();
    expect(await refusal(await upload(t, cookie, "big.txt", "x".repeat(1025)))).toEqual([413, "“big.txt” is larger than 1 KB, the most a file may be."]);
    // A body that never ends, with no Content-Length: the upload stops at the limit rather than buffering it all.
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(256).fill(0x61));
      },
    });
    expect(await refusal(await upload(t, cookie, "endless.txt", endless))).toEqual([413, "“endless.txt” is larger than 1 KB, the most a file may be."]);
    expect(pulled).toBeLessThan(10);
    expect(await uploaded(t, cookie, "fits.txt", "x".repeat(1024))).toMatchObject({ size: 1024 });
    expect((await rows(u.id)).map((r) => r.name)).toEqual(["fits.txt"]);
  });

  it("limits uploads per user and hour, with when to try again; another user's are their own", async () => {
    set({ ATTACHMENT_UPLOADS_PER_HOUR: 2 });
    const { cookie } = await user();
    await uploaded(t, cookie, "1.txt", "one");
    await uploaded(t, cookie, "2.txt", "two");
    const limited = await upload(t, cookie, "3.txt", "three");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refusal(limited)).toEqual([429, expect.stringMatching(/^You're uploading files too quickly\. Try again in \d+ minutes?\.$/)]);
    await uploaded(t, (await user()).cookie, "3.txt", "three");
  });

  it("needs a signed-in user from this site", async () => {
    const { cookie } = await user();
    expect(await refusal(await upload(t, null, "a.txt", "hello"))).toEqual([401, "Sign in to attach files"]);
    expect(await refusal(await upload(t, cookie, "a.txt", "hello", { origin: "https://evil.example" }))).toEqual([403, "Cross-site requests are not allowed"]);
  });

  it("stores the same file once per user: again (under another name) it is the same row; another user's copy is theirs", async () => {
    const a = await user();
    const b = await user();
    const first = await uploaded(t, a.cookie, "one.txt", "same bytes");
    const again = await uploaded(t, a.cookie, "two.txt", "same bytes");
    const theirs = await uploaded(t, b.cookie, "one.txt", "same bytes");
    expect(again.id).toBe(first.id);
    expect(again.name).toBe("two.txt");
    expect(theirs.id).not.toBe(first.id);
    expect((await rows(a.user.id)).length).toBe(1);
    expect((await rows(b.user.id)).length).toBe(1);
  });
});

describe("serving a file", () => {
  it("sends images inline as their sniffed type and everything else as a download, never sniffable", async () => {
    const { cookie } = await user();
    const image = await uploaded(t, cookie, "cat.jpg", TINY_PNG);
    const page = await uploaded(t, cookie, "page.html", "<script>alert(1)</script>");
    const pdf = await uploaded(t, cookie, "report.pdf", minimalPdf("hi"));
    const img = await fetchAttachment(t, cookie, image.id);
    expect(img.status).toBe(200);
    expect(Buffer.from(await img.arrayBuffer()).equals(TINY_PNG)).toBe(true);
    expect(Object.fromEntries(["content-type", "content-disposition", "x-content-type-options"].map((h) => [h, img.headers.get(h)]))).toEqual({
      "content-type": "image/png",
      "content-disposition": `inline; filename="cat.jpg"; filename*=UTF-8''cat.jpg`,
      "x-content-type-options": "nosniff",
    });
    const html = await fetchAttachment(t, cookie, page.id);
    expect([html.headers.get("content-type"), html.headers.get("content-disposition"), html.headers.get("x-content-type-options")]).toEqual([
      "text/plain; charset=utf-8",
      `attachment; filename="page.html"; filename*=UTF-8''page.html`,
      "nosniff",
    ]);
    expect(html.headers.get("content-security-policy")).toContain("sandbox");
    expect((await fetchAttachment(t, cookie, pdf.id)).headers.get("content-type")).toBe("application/octet-stream");
  });

  it("keeps a hostile name out of the header", async () => {
    const { cookie } = await user();
    const ref = await uploaded(t, cookie, 'x"; filename=evil.html\r\n.txt', "hello");
    const disposition = (await fetchAttachment(t, cookie, ref.id)).headers.get("content-disposition")!;
    expect(disposition).toMatch(/^attachment; filename="[\w.\- ()]+"; filename\*=UTF-8''[^"\s;]+$/);
  });

  it("answers another user, or no user, exactly as for a file that does not exist", async () => {
    const owner = await user();
    const other = await user();
    const ref = await uploaded(t, owner.cookie, "secret.txt", "the owner's secret");
    const answer = async (res: Response) => ({ status: res.status, type: res.headers.get("content-type"), body: await res.text() });
    const missing = await answer(await fetchAttachment(t, other.cookie, crypto.randomUUID()));
    expect(missing).toEqual({ status: 404, type: "application/json", body: '{"error":"Attachment not found"}' });
    expect(await answer(await fetchAttachment(t, other.cookie, ref.id))).toEqual(missing);
    expect(await answer(await fetchAttachment(t, null, ref.id))).toEqual(missing);
    expect(await answer(await fetchAttachment(t, other.cookie, "not-a-uuid"))).toEqual(missing);
    expect((await fetchAttachment(t, owner.cookie, ref.id)).status).toBe(200);
  });

  it("is readable through a live share link whose page shows it, signed out too; nothing else is", async () => {
    const owner = await user();
    const shown = await uploaded(t, owner.cookie, "plan.txt", "the shared plan");
    const other = await uploaded(t, owner.cookie, "diary.txt", "not in the conversation");
    const threadId = await succeeded(owner.caller, owner.caller.chat.send({ text: "read this", attachments: [shown.id] }));
    const share = await owner.caller.share.create({ threadId });
    const through = (id: string, shareId: string) =>
      attachmentResponse(t.db, new Request(`http://localhost/api/attachments/${id}?share=${encodeURIComponent(shareId)}`), id);
    const answer = async (res: Response) => ({ status: res.status, body: await res.text() });
    const missing = await answer(await fetchAttachment(t, null, crypto.randomUUID()));
    expect(await answer(await through(shown.id, share.id))).toEqual({ status: 200, body: "the shared plan" });
    expect(await answer(await fetchAttachment(t, null, shown.id))).toEqual(missing);
    expect(await answer(await through(other.id, share.id))).toEqual(missing);
    expect(await answer(await through(shown.id, "A".repeat(22)))).toEqual(missing);
    await owner.caller.share.stop({ threadId });
    expect(await answer(await through(shown.id, share.id))).toEqual(missing);
  });

  it("refuses hostile names and ids cleanly (fuzz)", async () => {
    const { cookie } = await user();
    const hostile = ["../../etc/passwd", "\u0000.txt", "a".repeat(10_000), "invoice\u202Egpj.exe", "%00", "💥.txt", "CON", " ", "%ED%A0%80.txt"];
    for (const name of hostile) {
      const res = await upload(t, cookie, name, "some text");
      const text = await res.text();
      expect([name.slice(0, 20), res.status === 201 || (res.status >= 400 && res.status < 500)]).toEqual([name.slice(0, 20), true]);
      expect(text).not.toMatch(/\.ts:\d+|\n\s+at /);
    }
    for (const id of ["", "'; DROP TABLE attachments; --", "00000000-0000-0000-0000-000000000000", "x".repeat(5000)]) {
      expect((await fetchAttachment(t, cookie, id)).status).toBe(404);
    }
    // Every name that was stored is safe to show: no path, no control or direction characters.
    const names = (await t.pool.query<{ name: string }>("SELECT name FROM attachments")).rows.map((r) => r.name);
    for (const name of names) expect(name).not.toMatch(/[/\\\u0000-\u001f\u202e]/);
  });
});

describe("attachments in a conversation", () => {
  it("go with the message to the model by reference, and come back with it; the checkpoint holds no file", async () => {
    const { caller, cookie } = await user();
    const image = await uploaded(t, cookie, "diagram.png", TINY_PNG);
    const notes = await uploaded(t, cookie, "notes.txt", "Buy milk\nand eggs");
    const big = "Z".repeat(50_000);
    const log = await uploaded(t, cookie, "server.log", `first line\n${big}`);
    const threadId = await succeeded(caller, caller.chat.send({ text: "have a look", attachments: [image.id, notes.id, log.id] }));
    const [question, answer] = (await caller.thread.messages({ threadId })).messages;
    expect(question).toMatchObject({ role: "user", text: "have a look", attachments: [image, notes, log].map((r) => ({ id: r.id, name: r.name })) });
    const text = answer!.role === "assistant" ? answer!.parts.map((p) => (p.type === "text" ? p.text : "")).join("") : "";
    expect(text).toContain("I received 3 files");
    expect(text).toContain(`**diagram.png** (PNG image, ${TINY_PNG.length} B)`);
    expect(text).toContain("**notes.txt** (text, 17 B), first line: “Buy milk”");
    expect(text).toContain("**server.log** (text, 49 KB)");
    // References only: neither the image's base64 nor the log's text is in any checkpoint table.
    const { rows: found } = await t.pool.query(
      `SELECT 1 FROM ${CHECKPOINT_SCHEMA}.message_payloads WHERE thread_id = $1 AND (convert_from(payload, 'UTF8') LIKE $2 OR convert_from(payload, 'UTF8') LIKE $3)`,
      [threadId, `%${TINY_PNG.toString("base64").slice(0, 40)}%`, "%ZZZZZZZZZZZZZZZZ%"],
    );
    expect(found).toEqual([]);
  });

  it("refuses someone else's file, or too many, and sends nothing", async () => {
    set({ ATTACHMENTS_PER_MESSAGE: 2 });
    const { caller, cookie } = await user();
    const other = await user();
    const theirs = await uploaded(t, other.cookie, "theirs.txt", "not yours");
    const refused = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: { code: string; message: string }) => [e.code, e.message],
      );
    expect(await refused(caller.chat.send({ text: "look", attachments: [theirs.id] }))).toEqual(["NOT_FOUND", "Attachment not found"]);
    expect(await refused(caller.chat.send({ text: "look", attachments: [crypto.randomUUID()] }))).toEqual(["NOT_FOUND", "Attachment not found"]);
    const mine = await Promise.all(["a", "b", "c"].map((n) => uploaded(t, cookie, `${n}.txt`, n)));
    expect(await refused(caller.chat.send({ text: "look", attachments: mine.map((m) => m.id) }))).toEqual([
      "BAD_REQUEST",
      "At most 2 files can be attached to one message.",
    ]);
    expect((await caller.thread.list({})).items).toEqual([]);
  });

  it("are kept by an edit and a regenerate; a file goes when the last message that refers to it goes", async () => {
    const { caller, cookie } = await user();
    const shared = await uploaded(t, cookie, "shared.txt", "in two conversations");
    const only = await uploaded(t, cookie, "only.txt", "in one conversation");
    const first = await succeeded(caller, caller.chat.send({ text: "first", attachments: [shared.id, only.id] }));
    const second = await succeeded(caller, caller.chat.send({ text: "second", attachments: [shared.id] }));

    const [question, answer] = (await caller.thread.messages({ threadId: first })).messages;
    const regenerated = await caller.chat.regenerate({ threadId: first, messageId: answer!.id });
    await subscribeEvents(caller, regenerated.runId);
    expect((await caller.thread.messages({ threadId: first })).messages[0]).toMatchObject({
      id: question!.id,
      attachments: [{ id: shared.id }, { id: only.id }],
    });
    const edited = await caller.chat.edit({ threadId: first, messageId: question!.id, text: "first, edited" });
    await subscribeEvents(caller, edited.runId);
    const [editedQuestion, editedAnswer] = (await caller.thread.messages({ threadId: first })).messages;
    expect(editedQuestion).toMatchObject({ text: "first, edited", attachments: [{ name: "shared.txt" }, { name: "only.txt" }] });
    expect(editedQuestion!.id).not.toBe(question!.id);
    expect(JSON.stringify(editedAnswer)).toContain("first line: “in one conversation”");

    await caller.thread.delete({ threadId: first });
    expect([await exists(shared.id), await exists(only.id)]).toEqual([true, false]);
    await caller.thread.delete({ threadId: second });
    expect(await exists(shared.id)).toBe(false);
  });

  it("resolve on the instance that takes over a run whose instance died before the message reached a checkpoint", async () => {
    const { caller, user: u, cookie } = await user();
    const notes = await uploaded(t, cookie, "handover.txt", "Taken over intact\nrest");
    const thread = await caller.thread.create();
    const input = { id: crypto.randomUUID(), text: "read this", attachments: [notes as AttachmentRef] };
    await linkAttachments(t.db, thread.id, input.id, input.attachments);
    const [run] = await t.db
      .insert(runs)
      .values({ threadId: thread.id, userId: u.id, status: "running", input, ownerInstance: "dead-host:1:abc", heartbeatAt: sql`now() - interval '1 hour'` })
      .returning();
    await t.pool.query("INSERT INTO run_events (run_id, seq, event) VALUES ($1, 1, $2)", [
      run!.id,
      JSON.stringify({ type: "run-start", userMessage: { id: input.id, text: input.text, attachments: input.attachments } }),
    ]);
    // Another instance, with an agent of its own, claims and resumes it.
    for (const r of await claimStaleRuns(t.db, 1_000, 100)) await resumeRun(t.db, testAgent(t.pool), r);
    await expect.poll(async () => (await getRun(t.db, run!.id, u.id))?.status, { timeout: 10_000 }).toBe("succeeded");
    const [question, answer] = (await caller.thread.messages({ threadId: thread.id })).messages;
    expect(question).toMatchObject({ id: input.id, attachments: [{ id: notes.id, name: "handover.txt" }] });
    expect(JSON.stringify(answer)).toContain("first line: “Taken over intact”");
  });

  it("uploaded and never sent: swept after a while; a sent one stays", async () => {
    const { caller, cookie } = await user();
    const unsent = await uploaded(t, cookie, "draft.txt", "never sent");
    const sent = await uploaded(t, cookie, "sent.txt", "sent");
    await succeeded(caller, caller.chat.send({ text: "here", attachments: [sent.id] }));
    await sweepUnsentAttachments(t.db);
    expect([await exists(unsent.id), await exists(sent.id)]).toEqual([true, true]);
    await t.db.execute(sql`UPDATE attachments SET created_at = now() - interval '2 days' WHERE id IN (${unsent.id}, ${sent.id})`);
    await sweepUnsentAttachments(t.db);
    expect([await exists(unsent.id), await exists(sent.id)]).toEqual([false, true]);
  });
});
