import { type BaseMessage, isBaseMessage } from "@langchain/core/messages";
import { createHash, randomUUID } from "node:crypto";

/**
 * Where messages this process has stored or loaded live in Postgres, keyed by the message objects
 * themselves. LangGraph keeps the same message objects from one step to the next (its reducer
 * builds new lists, not new messages), so finding which part of a list is already stored costs a
 * lookup per message and no serialising; only new messages are serialised and written.
 */
export interface StoredNode {
  scope: string;
  /** The generation of the scope: deleting a thread makes everything remembered about it stale. */
  generation: number;
  node: string;
  parent: string | null;
  depth: number;
}

export interface StoredPayload {
  scope: string;
  generation: number;
  key: string;
}

/** A thread and checkpoint namespace: messages are shared within one, never across. */
export const scopeOf = (threadId: string, ns: string) => `${threadId}\u0000${ns}`;

export class MessageMemory {
  private readonly nodes = new WeakMap<BaseMessage, StoredNode>();
  private readonly payloads = new WeakMap<BaseMessage, StoredPayload>();
  private readonly generations = new Map<string, number>();

  generation(scope: string) {
    return this.generations.get(scope) ?? 0;
  }

  /** After deleteThread: nothing remembered about the thread may be trusted any more. */
  forget(threadId: string) {
    for (const scope of [...this.generations.keys()].filter((s) => s.startsWith(`${threadId}\u0000`))) this.generations.set(scope, this.generation(scope) + 1);
    this.generations.set(scopeOf(threadId, ""), this.generation(scopeOf(threadId, "")) + 1);
  }

  node(message: BaseMessage, scope: string): StoredNode | undefined {
    const found = this.nodes.get(message);
    return found && found.scope === scope && found.generation === this.generation(scope) ? found : undefined;
  }

  payload(message: BaseMessage, scope: string): string | undefined {
    const found = this.payloads.get(message);
    return found && found.scope === scope && found.generation === this.generation(scope) ? found.key : undefined;
  }

  rememberNode(message: BaseMessage, node: StoredNode) {
    this.nodes.set(message, node);
  }

  rememberPayload(message: BaseMessage, payload: StoredPayload) {
    this.payloads.set(message, payload);
  }
}

/** Lists the message path takes: non-empty arrays of messages that all have ids. */
export function isMessageList(value: unknown): value is BaseMessage[] {
  return Array.isArray(value) && value.length > 0 && value.every((m) => isBaseMessage(m) && typeof m.id === "string" && m.id.length > 0);
}

export interface NewPayload {
  key: string;
  message: BaseMessage;
  type: string;
  bytes: Uint8Array;
}

export type Serialize = (message: BaseMessage) => Promise<[string, Uint8Array]>;

/**
 * A payload's key is a hash of the thread and the serialized message, so the same message reaching
 * the saver as two objects (the input a run was given, and the copy in the state) is stored once.
 */
function payloadKey(scope: string, type: string, bytes: Uint8Array): string {
  const h = createHash("sha256").update(scope).update("\u0000").update(type).update("\u0000").update(bytes).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The payload key of each message, serializing only those this process has not stored or read. */
export async function payloadKeys(
  memory: MessageMemory,
  scope: string,
  messages: BaseMessage[],
  serialize: Serialize,
  known: Map<BaseMessage, string>,
  fresh: NewPayload[],
) {
  return Promise.all(
    messages.map(async (message) => {
      const remembered = memory.payload(message, scope) ?? known.get(message);
      if (remembered) return remembered;
      const [type, bytes] = await serialize(message);
      const key = payloadKey(scope, type, bytes);
      known.set(message, key);
      if (!fresh.some((p) => p.key === key)) fresh.push({ key, message, type, bytes });
      return key;
    }),
  );
}

export interface NewNode {
  node: string;
  parent: string | null;
  key: string;
  depth: number;
  message: BaseMessage;
}

/** The messages along a stored path, by its leaf, when this process holds that list. */
export type ListByLeaf = (leaf: string) => readonly BaseMessage[] | undefined;

/** How far back from a list's end to look for the last list stored: a step adds a message or a few. */
const NEW_AT_MOST = 8;

/**
 * The longest prefix of `messages` already stored as a path, and its last node. A step's list is
 * nearly always the last one stored with a few messages added, so its newest stored message is
 * that list's leaf, and comparing the two lists object by object settles it without a lookup per
 * message (which made every put cost the length of the conversation). Otherwise, message by message.
 */
function storedPrefix(memory: MessageMemory, scope: string, messages: BaseMessage[], listByLeaf: ListByLeaf): { length: number; leaf: string | null } {
  for (let j = messages.length - 1; j >= Math.max(0, messages.length - NEW_AT_MOST); j--) {
    const stored = memory.node(messages[j]!, scope);
    if (!stored || stored.depth !== j) continue;
    const list = listByLeaf(stored.node);
    if (list && list.length === j + 1 && list.every((m, i) => m === messages[i])) return { length: j + 1, leaf: stored.node };
    break;
  }
  let leaf: string | null = null;
  let i = 0;
  for (; i < messages.length; i++) {
    const stored = memory.node(messages[i]!, scope);
    if (!stored || stored.parent !== leaf || stored.depth !== i) break;
    leaf = stored.node;
  }
  return { length: i, leaf };
}

/**
 * Plans storing a message list as a path in the thread's message tree: the longest prefix already
 * stored is reused, and the rest becomes new nodes (with new payloads only for messages never
 * stored). Returns the path's leaf; nothing is remembered until the caller has written it.
 */
export async function planPath(
  memory: MessageMemory,
  scope: string,
  messages: BaseMessage[],
  serialize: Serialize,
  known: Map<BaseMessage, string>,
  fresh: NewPayload[],
  listByLeaf: ListByLeaf = () => undefined,
) {
  const prefix = storedPrefix(memory, scope, messages, listByLeaf);
  let parent = prefix.leaf;
  const i = prefix.length;
  const rest = messages.slice(i);
  const keys = await payloadKeys(memory, scope, rest, serialize, known, fresh);
  const nodes: NewNode[] = rest.map((message, j) => {
    const node: NewNode = { node: randomUUID(), parent, key: keys[j]!, depth: i + j, message };
    parent = node.node;
    return node;
  });
  return { leaf: parent!, length: messages.length, nodes };
}
