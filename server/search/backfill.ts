import type { BaseMessage } from "@langchain/core/messages";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { readBranchTips } from "@/server/threads/branches";
import { toUiMessages } from "@/server/threads/messages";
import { type SearchRow, searchRows } from "./rows";

/**
 * Indexes the conversations that existed before search did: the migration listed them in
 * search_backfill, and each is taken off the list in the transaction that writes its rows. Several
 * instances share the work (SKIP LOCKED); running it again, or after a crash, redoes nothing that
 * is done. New messages are indexed by the saver as they are stored, so an empty list means done.
 * Reading through the checkpointer finds what either saver wrote. Returns the threads indexed.
 */
export async function backfillSearch(db: DB, checkpointer: BaseCheckpointSaver): Promise<number> {
  let done = 0;
  while (await backfillOne(db, checkpointer)) done++;
  return done;
}

function backfillOne(db: DB, checkpointer: BaseCheckpointSaver): Promise<boolean> {
  return db.transaction(async (tx) => {
    const claimed = await tx.execute<{ thread_id: string }>(sql`SELECT thread_id FROM search_backfill LIMIT 1 FOR UPDATE SKIP LOCKED`);
    const threadId = claimed.rows[0]?.thread_id;
    if (!threadId) return false;
    const rows = await threadRows(tx, checkpointer, threadId);
    // Dated as the message's branch row is (when it was sent, or its answer ended); else as the thread.
    await tx.execute(sql`
      INSERT INTO message_search (key, user_id, thread_id, message_id, role, body, created_at)
      SELECT x.key, t.user_id, t.id, x.message_id, x.role, x.body, coalesce(b.created_at, t.created_at)
      FROM jsonb_to_recordset(${JSON.stringify(rows.map((r) => ({ key: r.key, message_id: r.messageId, role: r.role, body: r.body })))}::jsonb)
        AS x(key uuid, message_id text, role text, body text)
      JOIN threads t ON t.id = ${threadId}
      LEFT JOIN message_branches b ON b.thread_id = t.id AND b.message_id = x.message_id
      ON CONFLICT (key) DO NOTHING`);
    await tx.execute(sql`DELETE FROM search_backfill WHERE thread_id = ${threadId}`);
    return true;
  });
}

/**
 * Every message of every branch: the tip of each branch is the thread's latest checkpoint or one
 * that message_branches names (see readBranchTips).
 */
async function threadRows(tx: Pick<DB, "execute">, checkpointer: BaseCheckpointSaver, threadId: string): Promise<SearchRow[]> {
  const named = await tx.execute<{ leaf: string | null; message_id: string }>(
    sql`SELECT leaf_checkpoint_id AS leaf, message_id FROM message_branches WHERE thread_id = ${threadId} AND leaf_checkpoint_id IS NOT NULL`,
  );
  const rows = new Map<string, SearchRow>();
  const seen = new Set<string>();
  const read = async (checkpointId?: string) => {
    const tuple = await checkpointer.getTuple({
      configurable: { thread_id: threadId, checkpoint_ns: "", ...(checkpointId && { checkpoint_id: checkpointId }) },
    });
    const messages = tuple?.checkpoint.channel_values.messages;
    if (!Array.isArray(messages)) return;
    for (const row of searchRows(threadId, messages as BaseMessage[])) rows.set(row.key, row);
    for (const m of toUiMessages(messages as BaseMessage[])) seen.add(m.id);
  };
  await read();
  await readBranchTips(
    named.rows.map((r) => ({ leaf: r.leaf, messageId: r.message_id })),
    (id) => seen.has(id),
    read,
  );
  return [...rows.values()];
}
