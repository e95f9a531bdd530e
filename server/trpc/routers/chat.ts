import { TRPCError, tracked } from "@trpc/server";
import { z } from "zod";
import { eventId } from "@/lib/run-events";
import { type Caller, cancelThreadRun, continueAnswer, decideAction, editMessage, regenerateAnswer, sendMessage } from "@/server/runs/lifecycle";
import { localRun } from "@/server/runs/registry";
import { getRun } from "@/server/runs/store";
import { watchRun } from "@/server/runs/watch";
import { metrics } from "@/server/observability/metrics";
import { config } from "@/server/config";
import { type Context, protectedProcedure, router, threadProcedure } from "../init";
import { threadOf } from "@/server/threads/queries";
import { attachmentIds, configId, decision, lastEventId, messageText as text, opaqueId, threadId } from "../inputs";

const messageId = opaqueId("Message id");

/** The signed-in caller as the run lifecycle takes it. */
const as = async (ctx: Context & { userId: string }): Promise<Caller> => ({
  db: ctx.db,
  agents: await ctx.agents(),
  userId: ctx.userId,
  requestId: ctx.requestId,
});

export const chatRouter = router({
  /**
   * Starts an answer and returns at once; the answer arrives through `events`. `messageId`, made by
   * the client, names the message from the moment it is typed, so the page shows it once whether
   * the history or the answer's events bring it back first. Without a thread, `temporary` makes the
   * new conversation a temporary chat (no memory read or written) and `agentId` picks its agent (one
   * of chat.agents); with one, both are ignored.
   */
  send: protectedProcedure
    .input(
      z.object({
        threadId: threadId.optional(),
        text,
        messageId: z.uuid("Not a valid message id").optional(),
        temporary: z.boolean().optional(),
        agentId: configId("Agent id").optional(),
        attachments: attachmentIds.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) =>
      sendMessage(await as(ctx), {
        threadId: input.threadId ?? null,
        text: input.text,
        messageId: input.messageId,
        temporary: input.temporary,
        agentId: input.agentId,
        attachments: input.attachments,
      }),
    ),

  /** Continues an answer that failed or was interrupted, from the thread's last checkpoint. */
  retry: threadProcedure.mutation(async ({ ctx }) => continueAnswer(await as(ctx), ctx.thread.id)),

  /** Edits a past user message: a new branch from the checkpoint before it, answered afresh. */
  edit: threadProcedure
    .input(z.object({ messageId, text }))
    .mutation(async ({ ctx, input }) => editMessage(await as(ctx), { threadId: ctx.thread.id, messageId: input.messageId, text: input.text })),

  /** A new answer to the same user message, as a sibling of the one given. */
  regenerate: threadProcedure
    .input(z.object({ messageId }))
    .mutation(async ({ ctx, input }) => regenerateAnswer(await as(ctx), { threadId: ctx.thread.id, messageId: input.messageId })),

  /**
   * The user's decision on an action the agent asked to take. Applied once: a second decision on
   * the same action is a CONFLICT "Already decided". The last decision of a pause resumes the agent.
   */
  decide: threadProcedure
    .input(z.object({ toolCallId: opaqueId("Action id"), decision }))
    .mutation(async ({ ctx, input }) => decideAction(await as(ctx), { threadId: ctx.thread.id, toolCallId: input.toolCallId, decision: input.decision })),

  stop: threadProcedure.mutation(async ({ ctx }) => ({ stopped: await cancelThreadRun(ctx.db, ctx.thread.id) })),

  /**
   * A run's events over SSE, each with a `<runId>:<seq>` id, from any instance: from memory where the
   * run executes, from Postgres elsewhere. A client that reconnects sends the last id it saw and gets
   * only what came after, so no token is repeated or lost. A client that joins without one (a page
   * opened mid-answer) gets the turn so far as one snapshot first; `<runId>:0` asks for every event.
   */
  events: protectedProcedure.input(z.object({ runId: z.uuid("Not a valid run id"), lastEventId: lastEventId.nullish() })).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    // A run answering on this instance is known without asking Postgres: one statement fewer before the first token.
    const here = localRun(input.runId);
    const run = here?.userId === ctx.userId ? here : await getRun(ctx.db, input.runId, ctx.userId);
    // Thrown inside the stream, past the middleware that maps domain errors: a tRPC error directly.
    if (!run) throw new TRPCError({ code: "NOT_FOUND", message: "Answer not found" });
    metrics().openStreams.inc();
    try {
      for await (const { seq, event } of watchRun(ctx.db, run.id, input.lastEventId, signal)) yield tracked(eventId(run.id, seq), event);
    } finally {
      metrics().openStreams.dec();
    }
  }),

  /** The agents a new conversation may pick, the default one first chosen. */
  agents: protectedProcedure.query(async ({ ctx }) => {
    const registry = await ctx.agents();
    return { defaultAgentId: registry.defaultAgentId, agents: registry.agents };
  }),

  /**
   * For the conversation header: the conversation's agent (the default one without a thread), the
   * model that answers its next message and the others it allows, and the agent's tools that cannot
   * run right now (their MCP server is down).
   */
  model: protectedProcedure.input(z.object({ threadId: threadId.optional() }).optional()).query(async ({ ctx, input }) => {
    const registry = await ctx.agents();
    const thread = input?.threadId ? await threadOf(ctx.db, ctx.userId, input.threadId) : null;
    const agent = await registry.get(thread ?? {});
    const { modelId } = registry.resolve(thread ?? {});
    const info = registry.agents.find((a) => a.id === agent.id)!;
    const limits = config();
    return {
      agent: { id: agent.id, name: agent.name, isDefault: agent.id === registry.defaultAgentId },
      provider: agent.choice.provider,
      label: agent.choice.label,
      modelId,
      models: info.models,
      unavailableTools: agent.unavailableTools(),
      attachments: { maxBytes: limits.ATTACHMENT_MAX_BYTES, perMessage: limits.ATTACHMENTS_PER_MESSAGE, vision: agent.vision },
    };
  }),
});
