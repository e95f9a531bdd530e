import { z } from "zod";
import type { UiMessage } from "@/lib/messages";
import type { ConversationNode } from "@/server/threads/conversation";
import type { ConversationDraft } from "@/server/threads/write";
import { IMPORT_LIMITS, importedTitle, messageId, storedText } from "./format";

/**
 * ChatGPT's `conversations.json` (Settings → Data controls → Export): an array of conversations,
 * each a `mapping` of nodes that name their parent and children, and the `current_node` shown. Only
 * the fields read here are checked; the rest of ChatGPT's many fields are let through unread.
 */
const node = z.object({
  id: messageId,
  parent: messageId.nullish(),
  children: z.array(messageId).default([]),
  message: z
    .object({
      author: z.object({ role: z.string() }),
      content: z.object({ content_type: z.string(), parts: z.array(z.unknown()).optional() }),
      create_time: z.number().nullish(),
      metadata: z.object({ is_visually_hidden_from_conversation: z.boolean().optional(), model_slug: z.string().max(200).nullish() }).nullish(),
    })
    .nullish(),
});

export const chatgptConversation = z.object({
  title: importedTitle,
  create_time: z.number().nullish(),
  mapping: z.record(z.string(), node),
  current_node: messageId.nullish(),
});

export type ChatgptConversation = z.output<typeof chatgptConversation>;

/** Whether a file's top level is ChatGPT's: an array of objects with a mapping. */
export const looksLikeChatgpt = (data: unknown) =>
  Array.isArray(data) && data.length > 0 && data.every((c) => typeof c === "object" && c !== null && "mapping" in c);

const text = storedText(IMPORT_LIMITS.textChars);

/** A message's words: its string parts (an image or a file becomes a note that it was there). */
function textOf(message: NonNullable<z.output<typeof node>["message"]>): string {
  const parts = message.content.parts ?? [];
  return parts.map((p) => (typeof p === "string" ? p : "[attachment not imported]")).join("\n");
}

/**
 * ChatGPT's tree as a Threadline conversation: user and assistant messages keep their place, and
 * regenerations and edits (siblings) become versions that switch like native ones. System, tool
 * and hidden messages, and empty ones, are skipped, their children moving up to the message before.
 * Consecutive assistant messages (a tool round in between) are one answer, as they read in ChatGPT.
 * The branch shown is the one through `current_node`.
 */
export function fromChatgpt(conversation: ChatgptConversation): ConversationDraft {
  const { mapping } = conversation;
  for (const [key, n] of Object.entries(mapping)) if (key !== n.id) throw new Error(`the node under "${key}" has the id "${n.id}"`);
  const roots = Object.values(mapping).filter((n) => !n.parent || !mapping[n.parent]);
  if (roots.length === 0 && Object.keys(mapping).length > 0) throw new Error("its messages have no first message (the tree is a cycle)");

  const nodes: ConversationNode[] = [];
  /** A kept message's final form (an answer may absorb the answer before it); null: skipped, with the message its children follow. */
  const kept = new Map<string, ConversationNode>();
  const follows = new Map<string, string | null>();
  const seen = new Set<string>();
  const stack: { id: string; parent: string | null }[] = roots.reverse().map((r) => ({ id: r.id, parent: null }));
  const absorbed = new Set<string>();
  while (stack.length) {
    const { id, parent } = stack.pop()!;
    if (seen.has(id)) throw new Error(`the message "${id}" is reached twice (its tree has a cycle or a shared child)`);
    seen.add(id);
    const n = mapping[id];
    if (!n) throw new Error(`a message names a child "${id}" that is not in its mapping`);
    const message = toMessage(n);
    let here = parent;
    if (message) {
      const before = parent === null ? null : kept.get(parent)!;
      if (message.role === "assistant" && before?.message.role === "assistant") {
        // The answer goes on: one message, the earlier part's words first.
        message.parts = [...before.message.parts, ...message.parts];
        message.usage = message.usage ?? before.message.usage;
        absorbed.add(before.message.id);
        const node = { parentId: before.parentId, message };
        kept.set(id, node);
        nodes.push(node);
      } else {
        const node = { parentId: parent, message };
        kept.set(id, node);
        nodes.push(node);
      }
      here = id;
    }
    follows.set(id, here);
    for (const child of [...n.children].reverse()) stack.push({ id: child, parent: here });
  }
  if (nodes.length > IMPORT_LIMITS.messagesPerConversation)
    throw new Error(`it has more than ${IMPORT_LIMITS.messagesPerConversation.toLocaleString("en")} messages`);
  // An answer absorbed into every answer after it is not a message of its own any more, unless a question follows it.
  const followedByUser = new Set(nodes.filter((n) => n.message.role === "user" && n.parentId !== null).map((n) => n.parentId));
  const dropped = new Set([...absorbed].filter((id) => !followedByUser.has(id)));
  const current = conversation.current_node && follows.has(conversation.current_node) ? follows.get(conversation.current_node)! : null;
  return {
    title: conversation.title,
    nodes: nodes.filter((n) => !dropped.has(n.message.id)),
    currentId: current && !dropped.has(current) ? current : null,
  };
}

function toMessage(n: z.output<typeof node>): UiMessage | null {
  const m = n.message;
  if (!m || m.metadata?.is_visually_hidden_from_conversation) return null;
  const role = m.author.role;
  if (role !== "user" && role !== "assistant") return null;
  const parsed = text.safeParse(textOf(m));
  if (!parsed.success) throw new Error(`the message "${n.id}" ${parsed.error.issues[0]!.message}`);
  const words = parsed.data;
  if (!words.trim()) return null;
  if (role === "user") return { id: n.id, role: "user", text: words };
  return {
    id: n.id,
    role: "assistant",
    parts: [{ type: "text", text: words }],
    stopped: false,
    usage: null,
    ...(m.metadata?.model_slug && { model: m.metadata.model_slug }),
  };
}
