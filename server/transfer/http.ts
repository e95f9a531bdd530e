import { z } from "zod";
import type { DB } from "@/db/client";
import type { ConversationExportFormat } from "@/lib/transfer";
import { type AgentRegistry, getAgents } from "@/server/agent";
import { sessionFromCookies } from "@/server/auth/session-cookie";
import { config } from "@/server/config";
import { getDb } from "@/server/db";
import { DomainError } from "@/server/errors";
import { logger } from "@/server/observability/log";
import { isCrossSite, readAtMost } from "@/server/security/request-guard";
import { getThread, THREAD_NOT_FOUND } from "@/server/threads/queries";
import { toUiMessages } from "@/server/threads/messages";
import { accountExport, conversationFileOf, conversationMarkdown } from "./export";
import { importConversations } from "./import";

/** The route handlers of export and import: each answers for itself, as tRPC does (401, 404, 4xx with a message). */

const STATUS: Record<DomainError["kind"], number> = { "not-found": 404, invalid: 400, conflict: 409, "rate-limited": 429, unavailable: 503 };

const refusal = (status: number, message: string) => Response.json({ error: message }, { status, headers: { "Cache-Control": "no-store" } });

/** What the handlers work with: the app's own, or a test's. */
export interface TransferDeps {
  db: DB;
  agents: () => Promise<AgentRegistry>;
  /** The signed-in user's id, or null. */
  userOf: (req: Request) => Promise<string | null>;
}

const appDeps = (): TransferDeps => ({
  db: getDb(),
  agents: getAgents,
  userOf: async (req) => (await sessionFromCookies(getDb(), req.headers.get("cookie")))?.user?.id ?? null,
});

/** Domain refusals with their words; anything else is logged and answered without its cause. */
async function answering(what: string, req: Request, deps: TransferDeps, handle: (userId: string) => Promise<Response>): Promise<Response> {
  try {
    const userId = await deps.userOf(req);
    if (!userId) return refusal(401, "Sign in to continue");
    return await handle(userId);
  } catch (err) {
    if (err instanceof DomainError) return refusal(STATUS[err.kind], err.message);
    logger().error({ err }, `${what} failed`);
    return refusal(500, "Something went wrong on our side. Please try again.");
  }
}

/** A download's name, readable and safe in a header: ASCII for old clients, UTF-8 for the rest. */
export function attachment(title: string, extension: string): string {
  const base =
    title
      .normalize("NFKC")
      .replace(/[\u0000-\u001f\u007f"\\/:*?<>|\s]+/g, " ")
      .trim()
      .slice(0, 80) || "conversation";
  const ascii = base.replace(/[^\x20-\x7e]+/g, "_");
  return `attachment; filename="threadline-${ascii}.${extension}"; filename*=UTF-8''${encodeURIComponent(`threadline-${base}.${extension}`)}`;
}

const formats = z.enum(["markdown", "json"] satisfies ConversationExportFormat[]);

/** "Export as Markdown" (the branch shown) and "Export as JSON" (every branch): someone else's conversation is a 404 like a missing one. */
export function exportConversationResponse(req: Request, threadId: string, deps = appDeps()): Promise<Response> {
  return answering("export", req, deps, async (userId) => {
    const format = formats.safeParse(new URL(req.url).searchParams.get("format") ?? "json");
    if (!format.success) return refusal(400, "format: Must be markdown or json");
    const thread = z.uuid().safeParse(threadId).success ? await getThread(deps.db, userId, threadId) : null;
    if (!thread) return refusal(404, THREAD_NOT_FOUND);
    const agent = await (await deps.agents()).get(thread);
    const headers = { "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" };
    if (format.data === "markdown") {
      const state = await agent.graph.getState({ configurable: { thread_id: thread.id } });
      const body = conversationMarkdown(thread.title, toUiMessages(state.values.messages ?? []));
      return new Response(body, {
        headers: { ...headers, "Content-Type": "text/markdown; charset=utf-8", "Content-Disposition": attachment(thread.title, "md") },
      });
    }
    const file = await conversationFileOf(deps.db, agent, userId, thread);
    return new Response(JSON.stringify(file, null, 2), {
      headers: { ...headers, "Content-Type": "application/json; charset=utf-8", "Content-Disposition": attachment(thread.title, "json") },
    });
  });
}

/**
 * The whole account as one download, written as it is read: each piece goes out when the client
 * asks for more (a pull stream), so a slow download holds one conversation in memory, not all.
 */
export function exportAccountResponse(req: Request, deps = appDeps()): Promise<Response> {
  return answering("account export", req, deps, async (userId) => {
    const pieces = accountExport(deps.db, await deps.agents(), userId);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { value, done } = await pieces.next();
          if (done) controller.close();
          else controller.enqueue(encoder.encode(value));
        } catch (err) {
          // The download is cut short rather than ending as valid JSON that lacks conversations.
          logger().error({ err }, "account export failed part way");
          controller.error(err);
        }
      },
      async cancel() {
        await pieces.return(undefined);
      },
    });
    const date = new Date().toISOString().slice(0, 10);
    return new Response(body, {
      headers: {
        "Cache-Control": "no-store",
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="threadline-export-${date}.json"`,
      },
    });
  });
}

/** A size as people read it: "25 MB", "512 KB". */
const sizeText = (bytes: number) => (bytes >= 1_048_576 ? `${+(bytes / 1_048_576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);

/** "Import conversations": the file is the request body, at most IMPORT_MAX_BYTES. */
export function importResponse(req: Request, deps = appDeps()): Promise<Response> {
  if (isCrossSite(req)) return Promise.resolve(refusal(403, "Cross-site requests are not allowed"));
  return answering("import", req, deps, async (userId) => {
    const limit = config().IMPORT_MAX_BYTES;
    const tooLarge = () => refusal(413, `The file is too large: at most ${sizeText(limit)} can be imported at once`);
    if (Number(req.headers.get("content-length") ?? NaN) > limit) return tooLarge();
    const body = await readAtMost(req, limit);
    if (body === null) return tooLarge();
    if (body.byteLength === 0) return refusal(400, "The file is empty");
    const { imported, skipped } = await importConversations(deps.db, await (await deps.agents()).get(), userId, body);
    return Response.json({ imported: imported.map((t) => ({ id: t.id, title: t.title })), skipped }, { headers: { "Cache-Control": "no-store" } });
  });
}
