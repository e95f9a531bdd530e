import { sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { ACTIVE_RUN_STATUSES } from "@/db/schema";

/**
 * Drops the checkpoints of a thread that nothing can return to, with their pending writes and the
 * channel values only they held. A turn writes three checkpoints (its input, each step), and once it
 * has ended only its last is ever read again. What stays:
 * - every checkpoint `message_branches` names: where each user message was sent from (an edit or
 *   regenerate forks there) and each branch's newest (switching back to a branch);
 * - the thread's latest checkpoint, with its writes (a pending approval is resumed from them).
 *
 * Nothing happens while a run holds the thread: its checkpoints are in the making. One statement,
 * so it sees one snapshot: a run that starts meanwhile writes rows it cannot see (and so cannot
 * delete), from a checkpoint it keeps. Idempotent: a second call finds nothing to drop.
 */
export async function compactThread(db: DB, schema: string, threadId: string): Promise<{ checkpoints: number; blobs: number }> {
  const t = (name: string) => sql.raw(`"${schema}".${name}`);
  const result = await db.execute<{ checkpoints: number; blobs: number }>(sql`
    WITH keep AS (
      SELECT base_checkpoint_id AS id FROM message_branches WHERE thread_id = ${threadId}::uuid AND base_checkpoint_id IS NOT NULL
      UNION SELECT leaf_checkpoint_id FROM message_branches WHERE thread_id = ${threadId}::uuid AND leaf_checkpoint_id IS NOT NULL
      UNION (SELECT checkpoint_id FROM ${t("checkpoints")} WHERE thread_id = ${threadId} AND checkpoint_ns = '' ORDER BY checkpoint_id DESC LIMIT 1)
    ), gone AS (
      DELETE FROM ${t("checkpoints")} c
      WHERE c.thread_id = ${threadId} AND c.checkpoint_ns = ''
        AND c.checkpoint_id NOT IN (SELECT id FROM keep)
        AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.thread_id = ${threadId}::uuid AND runs.status IN (${sql.join(
          ACTIVE_RUN_STATUSES.map((s) => sql`${s}`),
          sql`, `,
        )}))
      RETURNING c.checkpoint_id
    ), writes AS (
      DELETE FROM ${t("checkpoint_writes")} w
      WHERE w.thread_id = ${threadId} AND w.checkpoint_ns = '' AND w.checkpoint_id IN (SELECT checkpoint_id FROM gone)
    ), used AS (
      SELECT DISTINCT v.key AS channel, v.value AS version
      FROM ${t("checkpoints")} c, jsonb_each_text(c.checkpoint->'channel_versions') v
      WHERE c.thread_id = ${threadId} AND c.checkpoint_ns = '' AND c.checkpoint_id NOT IN (SELECT checkpoint_id FROM gone)
    ), blobs AS (
      DELETE FROM ${t("checkpoint_blobs")} b
      WHERE b.thread_id = ${threadId} AND b.checkpoint_ns = '' AND EXISTS (SELECT 1 FROM gone)
        AND NOT EXISTS (SELECT 1 FROM used WHERE used.channel = b.channel AND used.version = b.version)
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM gone)::int AS checkpoints, (SELECT count(*) FROM blobs)::int AS blobs`);
  return result.rows[0]!;
}
