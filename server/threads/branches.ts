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
 * After a run (or a switch), every message of the thread's current branch points at its newest
 * checkpoint: switching back to any of them later brings back this whole continuation. `state`:
 * the thread's latest state, when the caller has just read it.
 */
export async function recordBranch(db: DB, agent: Agent, threadId: string, latest?: ThreadState) {
  const state = latest ?? (await agent.graph.getState(threadConfig(threadId)));
  const leaf = state.config.configurable?.checkpoint_id as string | undefined;
  const ui = toUiMessages(state.values.messages ?? []);
  if (!leaf || ui.length === 0) return;
  const rows = ui.map((m, i) => ({ message_id: m.id, parent_id: ui[i - 1]?.id ?? null, role: m.role }));
  await db.execute(sql`
    INSERT INTO message_branches (thread_id, message_id, parent_id, role, leaf_checkpoint_id)
    SELECT ${threadId}::uuid, r.message_id, r.parent_id, r.role, ${leaf}
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(message_id text, parent_id text, role text)
    ON CONFLICT (thread_id, message_id) DO UPDATE SET leaf_checkpoint_id = excluded.leaf_checkpoint_id`);
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
  const row = await branchRow(db, threadId, messageId);
  if (!row?.leafCheckpointId) return false;
  await agent.graph.updateState(threadConfig(threadId, row.leafCheckpointId), undefined);
  await recordBranch(db, agent, threadId);
  return true;
}
