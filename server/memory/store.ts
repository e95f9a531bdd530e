import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { memories, threads, users } from "@/db/schema";
import type { MemoryKind, MemoryView } from "@/lib/memory";
import { NotFound } from "@/server/errors";

// Every query is scoped by user id: another user's memory is indistinguishable from a missing one.

export const MEMORY_NOT_FOUND = "Memory not found";

const view = {
  id: memories.id,
  kind: memories.kind,
  text: memories.text,
  threadId: memories.threadId,
  messageId: memories.messageId,
  createdAt: memories.createdAt,
  updatedAt: memories.updatedAt,
  lastRecalledAt: memories.lastRecalledAt,
};

/** A vector and the model that made it; both null without an embeddings provider. */
export interface Embedded {
  embedding: number[] | null;
  embeddingModel: string | null;
}

export interface NewMemory extends Embedded {
  kind: MemoryKind;
  text: string;
  threadId: string | null;
  messageId: string | null;
  /** The tool call that asked for it: a replayed call finds its memory instead of adding another. */
  toolCallId: string | null;
}

/** Adds a memory once per tool call; a replay returns the memory the first call saved. */
export async function addMemory(db: DB, userId: string, memory: NewMemory): Promise<MemoryView> {
  const [row] = await db
    .insert(memories)
    .values({ userId, ...memory })
    .onConflictDoNothing({ target: [memories.userId, memories.toolCallId] })
    .returning(view);
  if (row) return row;
  const [saved] = await db
    .select(view)
    .from(memories)
    .where(and(eq(memories.userId, userId), eq(memories.toolCallId, memory.toolCallId!)));
  return saved!;
}

/** Corrects one of the user's memories; null if it is not theirs (or not there). */
export async function updateMemory(db: DB, userId: string, id: string, change: { text: string; kind?: MemoryKind } & Embedded): Promise<MemoryView | null> {
  const [row] = await db
    .update(memories)
    .set({ ...change, updatedAt: sql`now()` })
    .where(and(eq(memories.id, id), eq(memories.userId, userId)))
    .returning(view);
  return row ?? null;
}

export async function deleteMemory(db: DB, userId: string, id: string): Promise<MemoryView | null> {
  const [row] = await db
    .delete(memories)
    .where(and(eq(memories.id, id), eq(memories.userId, userId)))
    .returning(view);
  return row ?? null;
}

export async function deleteAllMemories(db: DB, userId: string): Promise<number> {
  const rows = await db.delete(memories).where(eq(memories.userId, userId)).returning({ id: memories.id });
  return rows.length;
}

export async function memoryOf(db: DB, userId: string, id: string): Promise<MemoryView> {
  const [row] = await db
    .select(view)
    .from(memories)
    .where(and(eq(memories.id, id), eq(memories.userId, userId)));
  if (!row) throw new NotFound(MEMORY_NOT_FOUND);
  return row;
}

/** The user's memories among `ids`; the others (missing, or anyone else's) are simply absent. */
export async function memoriesByIds(db: DB, userId: string, ids: string[]): Promise<MemoryView[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select(view)
    .from(memories)
    .where(and(eq(memories.userId, userId), inArray(memories.id, ids)));
  const order = new Map(ids.map((id, i) => [id, i]));
  return rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

export interface MemoryCursor {
  updatedAt: Date;
  id: string;
}

/** `%`, `_` and `\` in what the user typed match themselves. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The Memory page: newest change first, keyset-paginated on (updated_at, id), narrowed to memories
 * containing what the search box holds (a substring, so a word being typed already matches).
 */
export async function listMemories(db: DB, userId: string, opts: { query?: string; limit: number; cursor?: MemoryCursor | null }) {
  const after = opts.cursor
    ? sql`(${memories.updatedAt}, ${memories.id}) < (${opts.cursor.updatedAt.toISOString()}::timestamptz, ${opts.cursor.id}::uuid)`
    : undefined;
  const matching = opts.query?.trim() ? sql`${memories.text} ILIKE ${likePattern(opts.query.trim())}` : undefined;
  const rows = await db
    .select(view)
    .from(memories)
    .where(and(eq(memories.userId, userId), matching, after))
    .orderBy(desc(memories.updatedAt), desc(memories.id))
    .limit(opts.limit + 1);
  const items = rows.slice(0, opts.limit);
  const last = items.at(-1);
  const nextCursor: MemoryCursor | null = rows.length > opts.limit && last ? { updatedAt: last.updatedAt, id: last.id } : null;
  return { items, nextCursor };
}

/** When memories were last put before the model: cheap (only rows not marked in the last minute), and nobody waits for it. */
export async function markRecalled(db: DB, userId: string, ids: string[]) {
  if (ids.length === 0) return;
  await db
    .update(memories)
    .set({ lastRecalledAt: sql`now()` })
    .where(
      and(
        eq(memories.userId, userId),
        inArray(memories.id, ids),
        sql`(${memories.lastRecalledAt} IS NULL OR ${memories.lastRecalledAt} < now() - interval '1 minute')`,
      ),
    );
}

export async function usesMemory(db: DB, userId: string): Promise<boolean> {
  const [row] = await db.select({ on: users.useMemory }).from(users).where(eq(users.id, userId));
  return row?.on ?? false;
}

export async function setUsesMemory(db: DB, userId: string, on: boolean) {
  await db.update(users).set({ useMemory: on }).where(eq(users.id, userId));
}

/**
 * Whether a run in this thread may read and write memory: the user's "Use memory" is on and the
 * conversation is not a temporary one. One statement, once per run.
 */
export async function memoryAllowed(db: DB, userId: string, threadId: string): Promise<boolean> {
  const [row] = await db
    .select({ on: sql<boolean>`${users.useMemory} AND NOT ${threads.temporary}` })
    .from(threads)
    .innerJoin(users, eq(users.id, threads.userId))
    .where(and(eq(threads.id, threadId), eq(threads.userId, userId)));
  return row?.on ?? false;
}
