import { linkAttachments, ownAttachmentIds } from "@/server/attachments/store";
import { and, eq, inArray } from "drizzle-orm";
import type { DB } from "@/db/client";
import { messageBranches } from "@/db/schema";
import type { Agent } from "@/server/agent";
import { Invalid } from "@/server/errors";
import type { ConversationNode } from "./conversation";
import { fromUiMessage } from "./from-ui";
import { createThread, type ThreadSummary } from "./queries";
import { inConversationTransaction } from "./transaction";

/** A conversation to write as a new thread: its tree (parents first), and the branch to show. */
export interface ConversationDraft {
  title: string;
  nodes: ConversationNode[];
  /** The last message of the branch to show; null: the last message written. */
  currentId: string | null;
}

/**
 * Writes a conversation as a new thread of the user's, in one transaction: the thread, a checkpoint
 * after each message (each forking from its parent's, as edits and regenerations do), and each
 * message's branch row, so its versions switch like native ones and the agent continues it from
 * its checkpoints. The saver indexes the messages for search as it stores them. A draft whose tree
 * is not one (an unknown parent, a repeated id, an answer following an answer) is refused before
 * anything is written.
 */
export async function writeConversation(
  db: DB,
  agent: Agent,
  userId: string,
  draft: ConversationDraft,
  /** What else goes in the same transaction (an import's feedback). */
  alongside?: (tx: DB, threadId: string) => Promise<void>,
): Promise<ThreadSummary> {
  checkDraft(draft);
  return inConversationTransaction(db, async (tx) => {
    const thread = await createThread(tx.db, userId, draft.title);
    const checkpointOf = (config: { configurable?: Record<string, unknown> }) => config.configurable?.checkpoint_id as string;
    const root = checkpointOf(await agent.graph.updateState(tx.at(thread.id), undefined));
    const after = new Map<string, string>();
    const hasChildren = new Set(draft.nodes.map((n) => n.parentId));
    const parentOf = new Map(draft.nodes.map((n) => [n.message.id, n.parentId]));
    const pathTo = (id: string) => {
      const path: string[] = [];
      for (let at: string | null = id; at !== null; at = parentOf.get(at) ?? null) path.push(at);
      return path;
    };
    const pointAt = (ids: string[], leaf: string) =>
      tx.db
        .update(messageBranches)
        .set({ leafCheckpointId: leaf })
        .where(and(eq(messageBranches.threadId, thread.id), inArray(messageBranches.messageId, ids)));

    // Files stay with their owner: a message keeps only those that are this user's own (an import of
    // their own export keeps them all; a copy of someone else's conversation keeps none).
    const own = await ownAttachmentIds(
      tx.db,
      userId,
      draft.nodes.flatMap(({ message }) => (message.role === "user" ? (message.attachments ?? []).map((a) => a.id) : [])),
    );
    for (const { message: given, parentId } of draft.nodes) {
      const base = parentId === null ? root : after.get(parentId)!;
      const user = given.role === "user";
      const files = given.role === "user" ? (given.attachments ?? []).filter((a) => own.has(a.id)) : [];
      const message = given.role === "user" ? { ...given, attachments: files.length ? files : undefined } : given;
      await tx.db
        .insert(messageBranches)
        .values({ threadId: thread.id, messageId: message.id, parentId, role: message.role, baseCheckpointId: user ? base : null });
      const written = await agent.graph.updateState(tx.at(thread.id, base), { messages: fromUiMessage(message) }, user ? "__start__" : "model");
      after.set(message.id, checkpointOf(written));
      if (files.length) await linkAttachments(tx.db, thread.id, message.id, files);
      // Each branch's messages point at its tip, the later branch winning where they share messages.
      if (!hasChildren.has(message.id)) await pointAt(pathTo(message.id), checkpointOf(written));
    }
    // The branch to show becomes the thread's latest checkpoint, as switching to it would make it.
    const currentId = draft.currentId ?? draft.nodes.at(-1)?.message.id;
    if (currentId) await pointAt(pathTo(currentId), checkpointOf(await agent.graph.updateState(tx.at(thread.id, after.get(currentId)), undefined)));
    await alongside?.(tx.db, thread.id);
    return thread;
  });
}

/** Refuses (Invalid) a draft whose tree is not one, naming the message at fault. */
export function checkDraft(draft: ConversationDraft) {
  const role = new Map<string, string>();
  for (const { message, parentId } of draft.nodes) {
    if (role.has(message.id)) throw new Invalid(`Message id ${message.id} appears twice`);
    if (parentId !== null && !role.has(parentId)) throw new Invalid(`Message ${message.id} follows a message that is not before it (${parentId})`);
    // Consecutive answers would read back as one turn: they must be one message.
    if (message.role === "assistant" && parentId !== null && role.get(parentId) === "assistant")
      throw new Invalid(`Answer ${message.id} follows another answer`);
    role.set(message.id, message.role);
  }
  if (draft.currentId !== null && !role.has(draft.currentId)) throw new Invalid(`The current message ${draft.currentId} is not in the conversation`);
}
