import { and, asc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { messageBranches } from "@/db/schema";
import type { Agent, ThreadState } from "@/server/agent";
import type { BranchInfo, UiMessage } from "@/lib/messages";
import { toUiMessages } from "./messages";

/** Where a message sits among its versions: "2 / 3", and the versions either side to switch to. */
const threadConfig = (threadId: string, checkpointId?: string) => ({
  configurable: { thread_id: threadId, ...(checkpointId && { checkpoint_id: checkpointId }) },
});

/**
 * Records a new user message's place before the run adds it: the checkpoint it is sent from (where
 * an edit of it will fork) and the message before it. A new thread gets an empty first checkpoint,
 * so that even its first message can be edited. Returns the checkpoint to run from.
 */
export async function recordUserMessage(db: DB, agent: Agent, threadId: string, message: { id: string; base?: string }): Promise<string> {
  let state = await agent.graph.getState(threadConfig(threadId, message.base));
  let base = state.config.configurable?.checkpoint_id as string | undefined;
  if (!base) {
    const root = await agent.graph.updateState(threadConfig(threadId), undefined);
    base = root.configurable?.checkpoint_id as string;
    state = await agent.graph.getState(threadConfig(threadId, base));
  }
  const parentId = toUiMessages(state.values.messages ?? []).at(-1)?.id ?? null;
  await db.insert(messageBranches).values({ threadId, messageId: message.id, parentId, role: "user", baseCheckpointId: base }).onConflictDoNothing();
  return base;
}

/**
 * After a run (or a switch), the branch's newest checkpoint is recorded on its last message, and on
 * the messages new to it: the newest checkpoint through any message is then the newest one among
 * it and everything after it (see leafThrough). Each turn writes a row or two, however long the
 * conversation (every message of the branch once was rewritten each turn: 1,000 rows at turn 500).
 * `state`: the thread's latest state, when the caller has just read it.
 */
export async function recordBranch(db: DB, agent: Agent, threadId: string, latest?: ThreadState) {
  const state = latest ?? (await agent.graph.getState(threadConfig(threadId)));
  const leaf = state.config.configurable?.checkpoint_id as string | undefined;
  const ui = toUiMessages(state.values.messages ?? []);
  if (!leaf || ui.length === 0) return;
  const rows = ui.map((m, i) => ({ message_id: m.id, parent_id: ui[i - 1]?.id ?? null, role: m.role }));
  await db.execute(sql`
    WITH branch AS (SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(message_id text, parent_id text, role text)),
    added AS (
      INSERT INTO message_branches (thread_id, message_id, parent_id, role, leaf_checkpoint_id)
      SELECT ${threadId}::uuid, b.message_id, b.parent_id, b.role, ${leaf} FROM branch b
      WHERE NOT EXISTS (SELECT 1 FROM message_branches m WHERE m.thread_id = ${threadId}::uuid AND m.message_id = b.message_id)
      ON CONFLICT (thread_id, message_id) DO NOTHING
    )
    UPDATE message_branches SET leaf_checkpoint_id = ${leaf} WHERE thread_id = ${threadId}::uuid AND message_id = ${ui.at(-1)!.id}`);
}

/**
 * The newest checkpoint of any branch through `messageId`: the greatest checkpoint recorded on it
 * or on a message after it. A branch through a message ends at a message after it (or at it), and
 * every branch's newest checkpoint is on its last message, so this is the checkpoint of the last
 * branch through it that was current. Checkpoint ids grow with time, as LangGraph's own "latest"
 * relies on; compared byte by byte (COLLATE "C"), as it compares them.
 */
export async function leafThrough(db: DB, threadId: string, messageId: string): Promise<string | null> {
  const { rows } = await db.execute<{ leaf: string | null }>(sql`
    WITH RECURSIVE after_it AS (
      SELECT message_id, leaf_checkpoint_id FROM message_branches WHERE thread_id = ${threadId}::uuid AND message_id = ${messageId}
      UNION ALL
      SELECT c.message_id, c.leaf_checkpoint_id FROM message_branches c JOIN after_it p ON c.parent_id = p.message_id
      WHERE c.thread_id = ${threadId}::uuid
    )
    SELECT max(leaf_checkpoint_id COLLATE "C") AS leaf FROM after_it`);
  return rows[0]?.leaf ?? null;
}

/**
 * Reads the checkpoints that together hold every branch. message_branches names one per turn (a
 * branch's newest is on its last message) and most are the state of a turn that later turns
 * continue, so, newest first, a checkpoint is read only if a message naming it is not yet `seen`
 * on a branch read before (the thread's latest should be seen first).
 */
export async function readBranchTips(
  rows: { leaf: string | null; messageId: string }[],
  seen: (messageId: string) => boolean,
  read: (leaf: string) => Promise<void>,
) {
  const holders = new Map<string, string[]>();
  for (const { leaf, messageId } of rows) if (leaf) holders.set(leaf, [...(holders.get(leaf) ?? []), messageId]);
  // Newest first: checkpoint ids grow with time, compared code unit by code unit as Postgres's COLLATE "C".
  for (const leaf of [...holders.keys()].sort().reverse()) if (!holders.get(leaf)!.every(seen)) await read(leaf);
}

/** Each message's versions, read only for the parents on the branch shown: bounded by its length. */
export async function branchInfo(db: DB, threadId: string, messages: UiMessage[]): Promise<Map<string, BranchInfo>> {
  const info = new Map<string, BranchInfo>();
  if (messages.length === 0) return info;
  const rows = await db
    .select({ messageId: messageBranches.messageId, parentId: messageBranches.parentId, role: messageBranches.role })
    .from(messageBranches)
    .where(
      and(
        eq(messageBranches.threadId, threadId),
        or(
          isNull(messageBranches.parentId),
          inArray(
            messageBranches.parentId,
            messages.map((m) => m.id),
          ),
        ),
      ),
    )
    .orderBy(asc(messageBranches.createdAt), asc(messageBranches.messageId));
  messages.forEach((m, i) => {
    const parent = messages[i - 1]?.id ?? null;
    const versions = rows.filter((r) => r.parentId === parent && r.role === m.role).map((r) => r.messageId);
    const index = versions.indexOf(m.id);
    if (index < 0) return;
    info.set(m.id, { index, count: versions.length, previousId: versions[index - 1] ?? null, nextId: versions[index + 1] ?? null });
  });
  return info;
}

export async function branchRow(db: DB, threadId: string, messageId: string) {
  const [row] = await db
    .select()
    .from(messageBranches)
    .where(and(eq(messageBranches.threadId, threadId), eq(messageBranches.messageId, messageId)))
    .limit(1);
  return row ?? null;
}

/**
 * Makes the branch through `messageId` the thread's current one. Its newest checkpoint is copied as
 * the thread's latest (a cheap checkpoint that only points at the stored values), so runs, reloads
 * and other tabs all simply follow the latest checkpoint.
 */
export async function switchBranch(db: DB, agent: Agent, threadId: string, messageId: string): Promise<boolean> {
  const leaf = await leafThrough(db, threadId, messageId);
  if (!leaf) return false;
  await agent.graph.updateState(threadConfig(threadId, leaf), undefined);
  await recordBranch(db, agent, threadId);
  return true;
}
