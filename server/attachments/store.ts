import { createHash } from "node:crypto";
import { and, asc, eq, inArray, or, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { attachments, messageAttachments, shares } from "@/db/schema";
import { type AttachmentRef, classify, emptyFile, MAX_ATTACHMENT_NAME, notText, tooMany } from "@/lib/attachments";
import { SHARE_ID } from "@/lib/share";
import { withoutHiddenControls } from "@/lib/text";
import { config } from "@/server/config";
import { Invalid, NotFound } from "@/server/errors";
import { pdfText } from "./pdf";

export const ATTACHMENT_NOT_FOUND = "Attachment not found";

/** Uploaded but never sent: kept this long for the message being written, then swept. */
export const UNSENT_KEPT_MS = 24 * 3600_000;

/** A name safe to show and to put in a header: no path, no control or direction characters. */
export function safeName(raw: string): string {
  const base = withoutHiddenControls(raw).split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return clean.slice(0, MAX_ATTACHMENT_NAME) || "file";
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** A text document's text, or null when it is not UTF-8 text (binary content under a text name). */
function utf8(bytes: Uint8Array): string | null {
  try {
    const text = decoder.decode(bytes);
    return text.includes("\u0000") ? null : text;
  } catch {
    return null;
  }
}

const refOf = (row: { id: string; name: string; kind: AttachmentRef["kind"]; mediaType: string; size: number }): AttachmentRef => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  mediaType: row.mediaType,
  size: row.size,
});

/**
 * Stores a file the user uploaded, once per user and content: the same bytes again are the same
 * row (under the newer name). The checks are the browser's own (lib/attachments.ts), on the bytes
 * that arrived; a PDF's text is extracted here, once.
 */
export async function saveAttachment(db: DB, userId: string, file: { name: string; bytes: Uint8Array }): Promise<AttachmentRef> {
  const name = safeName(file.name);
  if (file.bytes.byteLength === 0) throw new Invalid(emptyFile(name));
  const what = classify(name, file.bytes.subarray(0, 16));
  if (!what.ok) throw new Invalid(what.error);
  if (what.text && utf8(file.bytes) === null) throw new Invalid(notText(name));
  let text: string | null = null;
  if (what.mediaType === "application/pdf") {
    text = await pdfText(file.bytes).catch(() => {
      throw new Invalid(`“${name}” could not be read as a PDF.`);
    });
  }
  const sha256 = createHash("sha256").update(file.bytes).digest("hex");
  const [row] = await db
    .insert(attachments)
    .values({ userId, sha256, name, kind: what.kind, mediaType: what.mediaType, size: file.bytes.byteLength, data: Buffer.from(file.bytes), text })
    // Uploading it again renews it: the unsent sweep counts from the latest upload.
    .onConflictDoUpdate({ target: [attachments.userId, attachments.sha256], set: { name, createdAt: sql`now()` } })
    .returning({ id: attachments.id, name: attachments.name, kind: attachments.kind, mediaType: attachments.mediaType, size: attachments.size });
  return refOf(row!);
}

/** Who asks to see a file: a signed-in user, and the share link they came through, if any. */
export interface Viewer {
  userId: string | null;
  shareId?: string | null;
}

/**
 * The one check before a file's bytes leave the server: its owner may read it, and so may anyone
 * holding a live share link whose snapshot shows it (signed in or not). Missing, not yours, a
 * stopped link and a link that never showed it are the same null.
 */
export async function canRead(db: DB, attachmentId: string, viewer: Viewer) {
  if (!/^[0-9a-f-]{36}$/i.test(attachmentId)) return null;
  const owner = viewer.userId ? eq(attachments.userId, viewer.userId) : undefined;
  const shared =
    viewer.shareId && SHARE_ID.test(viewer.shareId)
      ? sql`EXISTS (SELECT 1 FROM ${shares} WHERE ${shares.id} = ${viewer.shareId} AND ${shares.userId} = ${attachments.userId}
          AND ${shares.snapshot} @> ${JSON.stringify([{ attachments: [{ id: attachmentId }] }])}::jsonb)`
      : undefined;
  if (!owner && !shared) return null;
  const [row] = await db
    .select()
    .from(attachments)
    .where(and(eq(attachments.id, attachmentId), or(owner, shared)))
    .limit(1);
  return row ?? null;
}

/**
 * The user's own files for a new message, in the order given (each once). Any that is missing or
 * someone else's refuses the message as a whole.
 */
export async function refsFor(db: DB, userId: string, ids: readonly string[]): Promise<AttachmentRef[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const max = config().ATTACHMENTS_PER_MESSAGE;
  if (unique.length > max) throw new Invalid(tooMany(max));
  const rows = await db
    .select({ id: attachments.id, name: attachments.name, kind: attachments.kind, mediaType: attachments.mediaType, size: attachments.size })
    .from(attachments)
    .where(and(eq(attachments.userId, userId), inArray(attachments.id, unique)));
  const byId = new Map(rows.map((r) => [r.id, refOf(r)]));
  return unique.map((id) => {
    const ref = byId.get(id);
    if (!ref) throw new NotFound(ATTACHMENT_NOT_FOUND);
    return ref;
  });
}

/** The message refers to its files from now on, whichever branch it ends up on. */
export async function linkAttachments(db: DB, threadId: string, messageId: string, refs: AttachmentRef[]) {
  if (refs.length === 0) return;
  await db
    .insert(messageAttachments)
    .values(refs.map((r, position) => ({ threadId, messageId, attachmentId: r.id, name: r.name, position })))
    .onConflictDoNothing();
}

/** Which of these ids are the user's own files: an import (or a copy) keeps only those. */
export async function ownAttachmentIds(db: DB, userId: string, ids: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(ids)].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  if (unique.length === 0) return new Set();
  const rows = await db
    .select({ id: attachments.id })
    .from(attachments)
    .where(and(eq(attachments.userId, userId), inArray(attachments.id, unique)));
  return new Set(rows.map((r) => r.id));
}

/** A sent message's files as it was sent with them (for an edit, which keeps them). */
export async function messageRefs(db: DB, threadId: string, messageId: string): Promise<AttachmentRef[]> {
  const rows = await db
    .select({ id: attachments.id, name: messageAttachments.name, kind: attachments.kind, mediaType: attachments.mediaType, size: attachments.size })
    .from(messageAttachments)
    .innerJoin(attachments, eq(attachments.id, messageAttachments.attachmentId))
    .where(and(eq(messageAttachments.threadId, threadId), eq(messageAttachments.messageId, messageId)))
    .orderBy(asc(messageAttachments.position));
  return rows.map(refOf);
}

/** What the model is sent of each file: an image's bytes, a document's text. Only the user's own. */
export async function attachmentContents(db: DB, userId: string, ids: readonly string[]): Promise<Map<string, { data: Buffer; text: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: attachments.id, kind: attachments.kind, mediaType: attachments.mediaType, data: attachments.data, text: attachments.text })
    .from(attachments)
    .where(and(eq(attachments.userId, userId), inArray(attachments.id, [...new Set(ids)])));
  return new Map(
    rows.map((r) => [r.id, { data: r.data, text: r.kind === "image" ? null : r.mediaType === "application/pdf" ? (r.text ?? "") : (utf8(r.data) ?? "") }]),
  );
}

/** Files uploaded for a message that was never sent. */
export async function sweepUnsentAttachments(db: DB, olderThanMs = UNSENT_KEPT_MS) {
  await db.execute(sql`
    DELETE FROM attachments a
    WHERE a.created_at < now() - make_interval(secs => ${olderThanMs / 1000})
      AND NOT EXISTS (SELECT 1 FROM message_attachments m WHERE m.attachment_id = a.id)`);
}

/** One page of a user's files for the account export: what each is and where it was sent, never its bytes. Keyset on id. */
export async function attachmentsPage(db: DB, userId: string, opts: { limit: number; after: string | null }) {
  const files = await db
    .select({
      id: attachments.id,
      name: attachments.name,
      kind: attachments.kind,
      mediaType: attachments.mediaType,
      size: attachments.size,
      sha256: attachments.sha256,
      createdAt: attachments.createdAt,
    })
    .from(attachments)
    .where(and(eq(attachments.userId, userId), opts.after ? sql`${attachments.id} > ${opts.after}::uuid` : undefined))
    .orderBy(asc(attachments.id))
    .limit(opts.limit);
  const uses = files.length
    ? await db
        .select({
          attachmentId: messageAttachments.attachmentId,
          threadId: messageAttachments.threadId,
          messageId: messageAttachments.messageId,
          name: messageAttachments.name,
        })
        .from(messageAttachments)
        .where(
          inArray(
            messageAttachments.attachmentId,
            files.map((f) => f.id),
          ),
        )
    : [];
  const items = files.map((f) => ({
    ...f,
    messages: uses.filter((u) => u.attachmentId === f.id).map(({ threadId, messageId, name }) => ({ threadId, messageId, name })),
  }));
  return { items, next: files.length === opts.limit ? files.at(-1)!.id : null };
}
