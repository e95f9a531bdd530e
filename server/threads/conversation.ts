import { asc, eq } from "drizzle-orm";
import type { DB } from "@/db/client";
import { messageBranches } from "@/db/schema";
import type { UiMessage } from "@/lib/messages";
import type { Agent } from "@/server/agent";
import { decisionsOf } from "@/server/runs/approvals";
import { readBranchTips } from "./branches";
import { toUiMessages } from "./messages";

/** A message of a conversation's tree: its versions share a parent (null: the first message). */
export interface ConversationNode {
  parentId: string | null;
  message: UiMessage;
}

/**
 * A whole conversation: every message of every branch, parents before children and versions in the
 * order they were written, and the last message of the branch shown now (null: no messages).
 */
export interface ConversationTree {
  nodes: ConversationNode[];
  currentId: string | null;
  /** The branch shown now, first message first. */
  current: UiMessage[];
}

const at = (threadId: string, checkpointId?: string) => ({ configurable: { thread_id: threadId, ...(checkpointId && { checkpoint_id: checkpointId }) } });

/** Without what belongs to the page showing it: its versions, and which of the user's memories it recalled. */
export function bare(message: UiMessage): UiMessage {
  const { branch: _branch, ...rest } = message;
  if (rest.role === "user") return rest;
  const { memories: _memories, ...assistant } = rest;
  return assistant;
}

/**
 * Reads every branch of a thread: the tip of each is a checkpoint message_branches names (see
 * readBranchTips), or the thread's latest. Tool calls carry the
 * user's decisions on them.
 */
export async function readConversation(db: DB, agent: Agent, threadId: string): Promise<ConversationTree> {
  const rows = await db
    .selectDistinct({ leaf: messageBranches.leafCheckpointId, createdAt: messageBranches.createdAt, messageId: messageBranches.messageId })
    .from(messageBranches)
    .where(eq(messageBranches.threadId, threadId))
    .orderBy(asc(messageBranches.createdAt), asc(messageBranches.messageId));
  const latest = await agent.graph.getState(at(threadId));
  const current = toUiMessages(latest.values.messages ?? []).map(bare);
  const found = new Map<string, ConversationNode>();
  const add = (path: UiMessage[]) => path.forEach((m, i) => found.has(m.id) || found.set(m.id, { parentId: path[i - 1]?.id ?? null, message: m }));
  add(current);
  await readBranchTips(
    rows,
    (id) => found.has(id),
    async (leaf) => add(toUiMessages((await agent.graph.getState(at(threadId, leaf))).values.messages ?? []).map(bare)),
  );
  // Versions in the order they were written; a message with no branch row (older threads) keeps its place on its path.
  const order = new Map(rows.map((r, i) => [r.messageId, i]));
  const nodes = topological([...found.values()].sort((a, b) => (order.get(a.message.id) ?? Infinity) - (order.get(b.message.id) ?? Infinity)));
  const toolParts = nodes.flatMap((n) => (n.message.role === "assistant" ? n.message.parts.filter((p) => p.type === "tool") : []));
  const decisions = await decisionsOf(
    db,
    threadId,
    toolParts.map((p) => p.id),
  );
  for (const part of toolParts) {
    const decision = decisions.get(part.id);
    if (decision) part.approval = decision;
  }
  return { nodes, currentId: current.at(-1)?.id ?? null, current };
}

/** Parents before their children, keeping the given order among siblings. */
export function topological(nodes: ConversationNode[]): ConversationNode[] {
  const children = new Map<string | null, ConversationNode[]>();
  for (const n of nodes) children.set(n.parentId, [...(children.get(n.parentId) ?? []), n]);
  const ids = new Set(nodes.map((n) => n.message.id));
  const out: ConversationNode[] = [];
  const stack = [...nodes.filter((n) => n.parentId === null || !ids.has(n.parentId))].reverse();
  while (stack.length) {
    const n = stack.pop()!;
    out.push(n);
    stack.push(...[...(children.get(n.message.id) ?? [])].reverse());
  }
  return out;
}
