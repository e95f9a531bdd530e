import { randomBytes } from "node:crypto";
import { and, desc, eq, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { shares } from "@/db/schema";
import type { SharedMessage } from "@/lib/share";
import type { Agent } from "@/server/agent";
import { NotFound } from "@/server/errors";
import { bare } from "@/server/threads/conversation";
import { toUiMessages } from "@/server/threads/messages";
import type { ThreadSummary } from "@/server/threads/queries";
import { writeConversation } from "@/server/threads/write";

// The owner's queries are scoped by user id (the router has checked the thread is theirs); the
// page's read is by the link's id alone, which is the secret.

/** The same words for a stopped link and one that never existed: nothing tells them apart. */
export const SHARE_NOT_FOUND = "This shared conversation does not exist";

/** 128 random bits, base64url: not guessable, not derived from anything. */
const newShareId = () => randomBytes(16).toString("base64url");

export interface ShareSummary {
  id: string;
  threadId: string;
  title: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface SharedConversation {
  title: string;
  messages: SharedMessage[];
  updatedAt: Date;
}

const summary = { id: shares.id, threadId: shares.threadId, title: shares.title, createdAt: shares.createdAt, updatedAt: shares.updatedAt };

/** The branch the conversation shows now, as anyone may read it. */
async function snapshotOf(agent: Agent, threadId: string): Promise<SharedMessage[]> {
  const state = await agent.graph.getState({ configurable: { thread_id: threadId } });
  return toUiMessages(state.values.messages ?? []).map(bare);
}

export async function shareOfThread(db: DB, userId: string, threadId: string): Promise<ShareSummary | null> {
  const [row] = await db
    .select(summary)
    .from(shares)
    .where(and(eq(shares.userId, userId), eq(shares.threadId, threadId)))
    .limit(1);
  return row ?? null;
}

/** Makes the conversation's link, showing the branch it shows now; one it already has stays as it is. */
export async function createShare(db: DB, agent: Agent, userId: string, thread: ThreadSummary): Promise<ShareSummary> {
  const existing = await shareOfThread(db, userId, thread.id);
  if (existing) return existing;
  const snapshot = await snapshotOf(agent, thread.id);
  const [row] = await db
    .insert(shares)
    .values({ id: newShareId(), threadId: thread.id, userId, title: thread.title, snapshot })
    // Two clicks racing: the first link wins, and the second returns it.
    .onConflictDoNothing({ target: shares.threadId })
    .returning(summary);
  return row ?? (await shareOfThread(db, userId, thread.id))!;
}

/** "Update link": the same link now shows the branch (and the title) the conversation shows now. */
export async function updateShare(db: DB, agent: Agent, userId: string, thread: ThreadSummary): Promise<ShareSummary> {
  const snapshot = await snapshotOf(agent, thread.id);
  const [row] = await db
    .update(shares)
    .set({ title: thread.title, snapshot, updatedAt: sql`now()` })
    .where(and(eq(shares.userId, userId), eq(shares.threadId, thread.id)))
    .returning(summary);
  if (!row) throw new NotFound(NOT_SHARED);
  return row;
}

export const NOT_SHARED = "This conversation is not shared";

/** Stops sharing: the row goes, so the link answers exactly as one that never existed. */
export async function stopSharing(db: DB, userId: string, threadId: string): Promise<boolean> {
  const rows = await db
    .delete(shares)
    .where(and(eq(shares.userId, userId), eq(shares.threadId, threadId)))
    .returning({ id: shares.id });
  return rows.length > 0;
}

export async function listShares(db: DB, userId: string): Promise<ShareSummary[]> {
  return db.select(summary).from(shares).where(eq(shares.userId, userId)).orderBy(desc(shares.updatedAt), desc(shares.id));
}

/** What the link shows, to anyone who has it; no owner, no email. Null: no such link (or no longer). */
export async function readShare(db: DB, id: string): Promise<SharedConversation | null> {
  const [row] = await db.select({ title: shares.title, messages: shares.snapshot, updatedAt: shares.updatedAt }).from(shares).where(eq(shares.id, id)).limit(1);
  return row ?? null;
}

/** "Continue in my account": the shared messages become a conversation of the viewer's own, to go on with. */
export async function continueShare(db: DB, agent: Agent, userId: string, id: string): Promise<ThreadSummary> {
  const shared = await readShare(db, id);
  if (!shared) throw new NotFound(SHARE_NOT_FOUND);
  return writeConversation(db, agent, userId, {
    title: shared.title,
    nodes: shared.messages.map((message, i) => ({ message, parentId: shared.messages[i - 1]?.id ?? null })),
    currentId: null,
  });
}
