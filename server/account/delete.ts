import { and, eq, inArray, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { ACTIVE_RUN_STATUSES, runs, users, verificationTokens } from "@/db/schema";
import { CHECKPOINT_SCHEMA } from "@/server/agent/checkpointer";
import { endAllSessions } from "@/server/auth/sessions";
import { Invalid } from "@/server/errors";
import { cancelThreadRun } from "@/server/runs/lifecycle";

export const EMAIL_MISMATCH = "Type your account's email exactly to confirm";

/** How long deletion waits for the user's answers in progress to stop (on whichever instance runs them). */
const STOP_RUNS_WITHIN_MS = 10_000;

/**
 * Deletes the user and everything of theirs: their sessions end first (on every instance), their
 * answers in progress are stopped, then one transaction removes their checkpoints (LangGraph's own
 * schema, keyed by thread id, so no foreign key reaches them), their rate-limit counters and
 * Auth.js tokens, and the user row, whose foreign keys take conversations, messages' side tables,
 * runs, events, approvals, memories, feedback, attachments, share links and sessions with it. `confirmEmail` must be the
 * account's email.
 */
export async function deleteAccount(db: DB, userId: string, confirmEmail: string) {
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId)).limit(1);
  if (!user?.email || user.email !== confirmEmail.trim().toLowerCase()) throw new Invalid(EMAIL_MISMATCH);
  await endAllSessions(db, userId);
  await stopRuns(db, userId);
  await db.transaction(async (tx) => {
    // Locks the user: a second deletion waits here, then finds nothing left to delete.
    await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
    const owned = sql`(SELECT id::text FROM threads WHERE user_id = ${userId})`;
    const tables = await checkpointTables(tx);
    // Our saver's message tree names no thread: a node goes with the payload it places, so before it.
    if (tables.includes("message_payloads")) {
      const table = (name: string) => sql`${sql.identifier(CHECKPOINT_SCHEMA)}.${sql.identifier(name)}`;
      await tx.execute(sql`DELETE FROM ${table("message_nodes")} WHERE key IN (SELECT key FROM ${table("message_payloads")} WHERE thread_id IN ${owned})`);
    }
    for (const table of tables) {
      await tx.execute(sql`DELETE FROM ${sql.identifier(CHECKPOINT_SCHEMA)}.${sql.identifier(table)} WHERE thread_id IN ${owned}`);
    }
    // The counters keyed by user (messages:<id>, threads:<id>, password-change-fail:<id>); sign-in
    // counters are keyed by email and address and guard the email, not the account.
    await tx.execute(sql`DELETE FROM rate_limits WHERE split_part(key, ':', 2) = ${userId}`);
    await tx.delete(verificationTokens).where(eq(verificationTokens.identifier, user.email!));
    await tx.delete(users).where(eq(users.id, userId));
  });
}

/** Every checkpointer table with a thread_id, whichever saver made them (ours adds message_payloads to the stock three). */
async function checkpointTables(db: Pick<DB, "execute">): Promise<string[]> {
  const { rows } = await db.execute<{ table_name: string }>(sql`
    SELECT table_name FROM information_schema.columns WHERE table_schema = ${CHECKPOINT_SCHEMA} AND column_name = 'thread_id' ORDER BY table_name`);
  return rows.map((r) => r.table_name);
}

/**
 * Asks each of the user's answers in progress to stop, and waits until they have: a step still
 * running would otherwise write its checkpoint after the deletion. One whose instance died is not
 * waited for past the deadline; its run row goes with the user, so nobody takes it over.
 */
async function stopRuns(db: DB, userId: string) {
  const activeOf = () =>
    db
      .select({ threadId: runs.threadId })
      .from(runs)
      .where(and(eq(runs.userId, userId), inArray(runs.status, ACTIVE_RUN_STATUSES)));
  const active = await activeOf();
  if (active.length === 0) return;
  await Promise.all(active.map((r) => cancelThreadRun(db, r.threadId)));
  const deadline = Date.now() + STOP_RUNS_WITHIN_MS;
  while ((await activeOf()).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
}
