import { and, desc, eq, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { threads } from "@/db/schema";
import { NotFound } from "@/server/errors";
import { awaitsDecision } from "@/server/runs/approvals";

// Every query is scoped by user id: another user's thread is indistinguishable from a missing one.

export const DEFAULT_TITLE = "New chat";

export interface ThreadCursor {
  updatedAt: Date;
  id: string;
}

const columns = {
  id: threads.id,
  title: threads.title,
  temporary: threads.temporary,
  agentId: threads.agentId,
  modelId: threads.modelId,
  createdAt: threads.createdAt,
  updatedAt: threads.updatedAt,
};
/**
 * `temporary`: a temporary chat, which neither reads nor writes memory. `agentId` and `modelId`: the
 * conversation's agent and model (null: the defaults), as the agent registry reads them (see AgentChoice).
 */
export type ThreadSummary = { id: string; title: string; temporary: boolean; agentId: string | null; modelId: string | null; createdAt: Date; updatedAt: Date };

/** Newest activity first, keyset-paginated on (updated_at, id) so pages never skip or repeat. */
/** The sidebar's query, keyset-paginated on (updated_at, id) to use threads_user_updated_idx. */
export function listThreadsQuery(db: DB, userId: string, opts: { limit: number; cursor?: ThreadCursor | null }) {
  const after = opts.cursor
    ? sql`(${threads.updatedAt}, ${threads.id}) < (${opts.cursor.updatedAt.toISOString()}::timestamptz, ${opts.cursor.id}::uuid)`
    : undefined;
  return db
    .select(columns)
    .from(threads)
    .where(and(eq(threads.userId, userId), after))
    .orderBy(desc(threads.updatedAt), desc(threads.id))
    .limit(opts.limit + 1);
}

export async function listThreads(db: DB, userId: string, opts: { limit: number; cursor?: ThreadCursor | null }) {
  const rows = await listThreadsQuery(db, userId, opts);
  const items = rows.slice(0, opts.limit);
  const last = items[items.length - 1];
  const nextCursor: ThreadCursor | null = rows.length > opts.limit && last ? { updatedAt: last.updatedAt, id: last.id } : null;
  return { items, nextCursor };
}

export async function getThread(db: DB, userId: string, id: string): Promise<ThreadSummary | null> {
  const [row] = await db
    .select(columns)
    .from(threads)
    .where(and(eq(threads.id, id), eq(threads.userId, userId)))
    .limit(1);
  return row ?? null;
}

export const THREAD_NOT_FOUND = "Conversation not found";

/** The user's thread, or NotFound exactly as for one that does not exist. */
export async function threadOf(db: DB, userId: string, id: string): Promise<ThreadSummary> {
  const thread = await getThread(db, userId, id);
  if (!thread) throw new NotFound(THREAD_NOT_FOUND);
  return thread;
}

/**
 * threadOf, with what chat.send checks next, in one round trip: whether an action in it awaits a
 * decision, and whether the message `messageId` names is already in it.
 */
export async function threadForMessage(
  db: DB,
  userId: string,
  id: string,
  messageId?: string,
): Promise<{ thread: ThreadSummary; awaitingDecision: boolean; alreadySent: boolean }> {
  const sent = messageId
    ? sql<boolean>`EXISTS (SELECT 1 FROM message_branches sent WHERE sent.thread_id = threads.id AND sent.message_id = ${messageId})`
    : sql<boolean>`false`;
  const [row] = await db
    .select({ ...columns, awaitingDecision: awaitsDecision(sql`threads.id`), alreadySent: sent })
    .from(threads)
    .where(and(eq(threads.id, id), eq(threads.userId, userId)))
    .limit(1);
  if (!row) throw new NotFound(THREAD_NOT_FOUND);
  const { awaitingDecision, alreadySent, ...thread } = row;
  return { thread, awaitingDecision, alreadySent };
}

/** Whether the thread still exists (a run's thread may be deleted while it runs). */
export async function threadExists(db: DB, id: string): Promise<boolean> {
  const [row] = await db.select({ id: threads.id }).from(threads).where(eq(threads.id, id));
  return Boolean(row);
}

/** Whether the thread still has the title it was created with (so a first message may name it). */
export async function hasDefaultTitle(db: DB, id: string): Promise<boolean> {
  const [row] = await db.select({ title: threads.title }).from(threads).where(eq(threads.id, id));
  return row?.title === DEFAULT_TITLE;
}

/** Only over the default title: a rename made meanwhile wins. */
export async function replaceDefaultTitle(db: DB, id: string, title: string) {
  await db
    .update(threads)
    .set({ title })
    .where(and(eq(threads.id, id), eq(threads.title, DEFAULT_TITLE)));
}

/**
 * `temporary` is chosen here, once: a conversation never starts or stops using memory halfway. So is
 * its agent (null: the default one), since a conversation's history belongs to the graph that wrote it.
 */
export async function createThread(db: DB, userId: string, title = DEFAULT_TITLE, temporary = false, agentId: string | null = null): Promise<ThreadSummary> {
  const [row] = await db.insert(threads).values({ userId, title, temporary, agentId }).returning(columns);
  return row!;
}

/** The conversation's model from its next message on (null: the agent's default). Not activity: its place in the list stays. */
export async function setThreadModel(db: DB, userId: string, id: string, modelId: string | null): Promise<ThreadSummary | null> {
  const [row] = await db
    .update(threads)
    .set({ modelId })
    .where(and(eq(threads.id, id), eq(threads.userId, userId)))
    .returning(columns);
  return row ?? null;
}

/** A run's conversation's agent and model, for the instance that executes or takes it over (no user scope: runs are the server's). */
export async function threadChoice(db: DB, id: string): Promise<{ agentId: string | null; modelId: string | null }> {
  const [row] = await db.select({ agentId: threads.agentId, modelId: threads.modelId }).from(threads).where(eq(threads.id, id));
  return row ?? { agentId: null, modelId: null };
}

/** Renaming is not conversation activity, so it leaves the thread's place in the list alone. */
export async function renameThread(db: DB, userId: string, id: string, title: string): Promise<ThreadSummary | null> {
  const [row] = await db
    .update(threads)
    .set({ title })
    .where(and(eq(threads.id, id), eq(threads.userId, userId)))
    .returning(columns);
  return row ?? null;
}

export async function deleteThread(db: DB, userId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(threads)
    .where(and(eq(threads.id, id), eq(threads.userId, userId)))
    .returning({ id: threads.id });
  return rows.length > 0;
}
