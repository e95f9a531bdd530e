import type { BaseMessage } from "@langchain/core/messages";
import { createHash } from "node:crypto";
import { searchableTexts } from "@/server/threads/messages";

/**
 * Text past this is not indexed: a tsvector holds at most 1 MB, and an index row that cannot be
 * written would fail the checkpoint it is written with.
 */
export const MAX_INDEXED_CHARS = 100_000;

/** One row of message_search, before Postgres adds the user, the tsvector and the time. */
export interface SearchRow {
  key: string;
  messageId: string;
  role: "user" | "assistant";
  body: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Only the app's conversations are indexed: their thread ids are uuids, and they have a row in threads. */
export const searchableThread = (threadId: string, ns: string) => (ns === "" && UUID.test(threadId) ? threadId : null);

/**
 * The same message (id and text) in the same thread is one row, however many times or ways it is
 * reached. A name-based UUID from SHA-256 is version 8 (RFC 9562), so it reads as a UUID everywhere.
 */
function rowKey(threadId: string, messageId: string, body: string): string {
  const h = createHash("sha256").update(threadId).update("\u0000").update(messageId).update("\u0000").update(body).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/**
 * The search rows of `messages[from..]`. Postgres text holds neither NUL nor lone surrogates, which
 * a model may write (a cut may make one too).
 */
export function searchRows(threadId: string, messages: BaseMessage[], from = 0): SearchRow[] {
  return searchableTexts(messages, from).map((m) => {
    const body = m.text.replaceAll("\u0000", "").slice(0, MAX_INDEXED_CHARS).toWellFormed();
    return { key: rowKey(threadId, m.id, body), messageId: m.uiId, role: m.role, body };
  });
}

/** The parameters of insertSearchRows, in its order. */
export const searchRowColumns = (rows: SearchRow[]) => [rows.map((r) => r.key), rows.map((r) => r.messageId), rows.map((r) => r.role), rows.map((r) => r.body)];

/**
 * Inserts rows for the thread in parameter $thread (null: none), from parameters $first..$first+3
 * (searchRowColumns). The user is the thread's; a thread deleted meanwhile gets no rows. Plain SQL,
 * for the saver's one statement per checkpoint.
 */
export function insertSearchRows(first: number, thread: number) {
  return `INSERT INTO message_search (key, user_id, thread_id, message_id, role, body)
    SELECT x.key, t.user_id, t.id, x.message_id, x.role, x.body
    FROM unnest($${first}::uuid[], $${first + 1}::text[], $${first + 2}::text[], $${first + 3}::text[]) AS x(key, message_id, role, body)
    JOIN threads t ON t.id = $${thread}::uuid
    ON CONFLICT (key) DO NOTHING`;
}
