import { z } from "zod";
import type { DB } from "@/db/client";
import { feedback } from "@/db/schema";
import type { Agent } from "@/server/agent";
import { Invalid, Unavailable } from "@/server/errors";
import { announce } from "@/server/threads/activity";
import type { ThreadSummary } from "@/server/threads/queries";
import { logger } from "@/server/observability/log";
import { checkDraft, type ConversationDraft, writeConversation } from "@/server/threads/write";
import { chatgptConversation, fromChatgpt, looksLikeChatgpt } from "./chatgpt";
import { accountFile, conversationFile, exportedConversation } from "./format";

/** A conversation ready to write, with the feedback that goes with it (Threadline's own files only). */
interface Planned {
  draft: ConversationDraft;
  feedback: z.output<typeof exportedConversation>["feedback"];
}

/** The first thing wrong, in words that name the field: "messages.2.role: Invalid input". */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}`;
}

/** Which conversation of the file, by position and, when it has one, title. */
function named(index: number, raw: unknown) {
  const title = raw && typeof raw === "object" && "title" in raw && typeof raw.title === "string" ? ` (“${raw.title.slice(0, 80)}”)` : "";
  return `Conversation ${index + 1}${title}`;
}

/**
 * Reads an import file: Threadline's JSON (one conversation, or a whole account export) or
 * ChatGPT's conversations.json. The whole file is checked before anything is written, so a file
 * with any bad conversation imports nothing; the error names the conversation and what is wrong.
 */
export function planImport(bytes: Uint8Array): Planned[] {
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new Invalid("The file is not JSON: choose a Threadline export (.json) or ChatGPT's conversations.json");
  }
  if (looksLikeChatgpt(data)) return (data as unknown[]).map((raw, i) => plan(raw, i, fromChatgptFile));
  const single = conversationFile.safeParse(data);
  if (single.success) return [plan(single.data.conversation, 0, fromThreadline)];
  const account = accountFile.safeParse(data);
  if (account.success) return account.data.conversations.map((raw, i) => plan(raw, i, fromThreadline));
  if (Array.isArray(data) && data.length === 0) throw new Invalid("The file has no conversations in it");
  throw new Invalid("This is not a file Threadline can import: choose a Threadline export (.json) or ChatGPT's conversations.json");
}

function plan(raw: unknown, index: number, read: (raw: unknown) => Planned): Planned {
  try {
    const planned = read(raw);
    checkDraft(planned.draft);
    return planned;
  } catch (err) {
    const why = err instanceof z.ZodError ? firstIssue(err) : err instanceof Error ? err.message : String(err);
    throw new Invalid(`${named(index, raw)} cannot be imported: ${why}. Nothing was imported.`);
  }
}

function fromChatgptFile(raw: unknown): Planned {
  return { draft: fromChatgpt(chatgptConversation.parse(raw)), feedback: [] };
}

function fromThreadline(raw: unknown): Planned {
  const c = exportedConversation.parse(raw);
  const draft: ConversationDraft = {
    title: c.title,
    nodes: c.messages.map(({ parentId, ...message }) => ({ parentId, message })),
    currentId: c.currentMessageId,
  };
  const answers = new Set(c.messages.filter((m) => m.role === "assistant").map((m) => m.id));
  const unknown = c.feedback.find((f) => !answers.has(f.messageId));
  if (unknown) throw new Error(`its feedback is on "${unknown.messageId}", which is not one of its answers`);
  const twice = c.feedback.find((f, i) => c.feedback.findIndex((g) => g.messageId === f.messageId) !== i);
  if (twice) throw new Error(`its feedback on "${twice.messageId}" appears twice`);
  return { draft, feedback: c.feedback };
}

/**
 * Imports a file's conversations as new conversations of the user's, each in one transaction (its
 * messages, branches, checkpoints and feedback). The file was checked whole first; should writing
 * fail part way (the database going away), the conversations before are whole and the rest are not
 * there, and the error says how many were imported.
 */
export async function importConversations(db: DB, agent: Agent, userId: string, bytes: Uint8Array): Promise<{ imported: ThreadSummary[]; skipped: number }> {
  const all = planImport(bytes);
  // A conversation without a message (a chat opened and left) has nothing to bring back.
  const planned = all.filter((p) => p.draft.nodes.length > 0);
  const done: ThreadSummary[] = [];
  for (const [i, { draft, feedback: rated }] of planned.entries()) {
    try {
      const thread = await writeConversation(db, agent, userId, draft, async (tx, threadId) => {
        if (rated.length) await tx.insert(feedback).values(rated.map((f) => ({ ...f, threadId, userId })));
      });
      done.push(thread);
      await announce(db, userId, thread.id, "thread-created");
    } catch (err) {
      logger().error({ err, userId, conversation: i + 1 }, "import failed part way");
      throw new Unavailable(`${named(i, draft)} could not be saved. ${importedSoFar(done.length)} Try importing the rest again.`);
    }
  }
  return { imported: done, skipped: all.length - planned.length };
}

const importedSoFar = (n: number) =>
  n === 0 ? "Nothing was imported." : n === 1 ? "The conversation before it was imported." : `The ${n} conversations before it were imported.`;
