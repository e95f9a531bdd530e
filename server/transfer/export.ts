import { asc, eq } from "drizzle-orm";
import type { DB } from "@/db/client";
import { approvals } from "@/db/schema";
import { ACCOUNT_FORMAT, CONVERSATION_FORMAT, FORMAT_VERSION } from "@/lib/transfer";
import type { UiMessage } from "@/lib/messages";
import type { Agent, AgentRegistry } from "@/server/agent";
import { attachmentsPage } from "@/server/attachments/store";
import { feedbackOfThread } from "@/server/feedback/store";
import { listMemories, type MemoryCursor } from "@/server/memory/store";
import { readConversation } from "@/server/threads/conversation";
import { listThreads, type ThreadCursor, type ThreadSummary } from "@/server/threads/queries";
import type { ExportedConversation } from "./format";

/**
 * A conversation as Threadline's JSON holds it: every message of every branch with its parent (tool
 * calls with their results and the user's decisions, token usage, the model), the branch shown,
 * the user's feedback on its answers, and the actions the agent asked to take.
 */
export async function exportConversation(db: DB, agent: Agent, userId: string, thread: ThreadSummary): Promise<ExportedConversation> {
  const [tree, rated, asked] = await Promise.all([
    readConversation(db, agent, thread.id),
    feedbackOfThread(db, userId, thread.id),
    db
      .select({
        toolCallId: approvals.toolCallId,
        toolName: approvals.toolName,
        args: approvals.args,
        status: approvals.status,
        decidedArgs: approvals.decidedArgs,
        reason: approvals.reason,
        createdAt: approvals.createdAt,
        decidedAt: approvals.decidedAt,
      })
      .from(approvals)
      .where(eq(approvals.threadId, thread.id))
      .orderBy(asc(approvals.createdAt), asc(approvals.position)),
  ]);
  return {
    title: thread.title,
    createdAt: thread.createdAt.toISOString(),
    currentMessageId: tree.currentId,
    messages: tree.nodes.map(({ message, parentId }) => ({ ...message, parentId })),
    feedback: rated.map(({ messageId, rating, comment, agent: by, model }) => ({ messageId, rating, comment, agent: by, model })),
    approvals: asked,
  };
}

/** One conversation's download. */
export async function conversationFileOf(db: DB, agent: Agent, userId: string, thread: ThreadSummary) {
  return {
    format: CONVERSATION_FORMAT,
    version: FORMAT_VERSION,
    exportedAt: new Date().toISOString(),
    conversation: await exportConversation(db, agent, userId, thread),
  };
}

/** The branch shown, as a Markdown document: what each side said, tool calls in brief. */
export function conversationMarkdown(title: string, messages: UiMessage[]): string {
  const out = [`# ${title}`, ""];
  for (const m of messages) {
    out.push(m.role === "user" ? "## You" : "## Assistant", "");
    if (m.role === "user") out.push(m.text, "");
    else
      for (const part of m.parts) {
        if (part.type === "text") out.push(part.text, "");
        else if (part.type === "step") out.push(`*${part.label}*`, "");
        else {
          const result = part.result ? ` → ${part.result.isError ? "failed: " : ""}${part.result.content}` : "";
          out.push(`> Tool \`${part.name}\` ${JSON.stringify(part.args)}${result}`.replaceAll("\n", "\n> "), "");
        }
      }
  }
  return out.join("\n");
}

/** How many threads (and memories) the account export reads at a time. */
export const EXPORT_PAGE_SIZE = 20;

/**
 * The whole account as one JSON document, in pieces: its memories, then each conversation as it is
 * read, page by page (keyset pagination, as the sidebar reads them). Nothing but the page being
 * written is held, however many conversations there are; the caller sends each piece as it comes.
 */
export async function* accountExport(db: DB, agents: AgentRegistry, userId: string, pageSize = EXPORT_PAGE_SIZE): AsyncGenerator<string> {
  yield `{"format":${JSON.stringify(ACCOUNT_FORMAT)},"version":${FORMAT_VERSION},"exportedAt":${JSON.stringify(new Date().toISOString())},"memories":[`;
  let memoryCursor: MemoryCursor | null = null;
  let first = true;
  do {
    const page: Awaited<ReturnType<typeof listMemories>> = await listMemories(db, userId, { limit: pageSize, cursor: memoryCursor });
    for (const { id, kind, text, threadId, createdAt, updatedAt } of page.items) {
      yield `${first ? "" : ","}${JSON.stringify({ id, kind, text, threadId, createdAt, updatedAt })}`;
      first = false;
    }
    memoryCursor = page.nextCursor;
  } while (memoryCursor);
  // The files' metadata (name, type, size, hash, the messages they were sent with), page by page; never their bytes.
  yield `],"attachments":[`;
  let after: string | null = null;
  first = true;
  do {
    const page: Awaited<ReturnType<typeof attachmentsPage>> = await attachmentsPage(db, userId, { limit: pageSize, after });
    for (const file of page.items) {
      yield `${first ? "" : ","}${JSON.stringify(file)}`;
      first = false;
    }
    after = page.next;
  } while (after);
  yield `],"conversations":[`;
  let cursor: ThreadCursor | null = null;
  first = true;
  do {
    const page: Awaited<ReturnType<typeof listThreads>> = await listThreads(db, userId, { limit: pageSize, cursor });
    for (const thread of page.items) {
      yield `${first ? "" : ","}${JSON.stringify(await exportConversation(db, await agents.get(thread), userId, thread))}`;
      first = false;
    }
    cursor = page.nextCursor;
  } while (cursor);
  yield "]}";
}
