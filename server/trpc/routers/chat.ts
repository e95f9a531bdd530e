import { TRPCError, tracked } from "@trpc/server";
import { z } from "zod";
import { eventId } from "@/lib/run-events";
import { assertAcceptingRuns } from "@/server/runs/drain";
import { launch, startRun } from "@/server/runs/execute";
import { approvalOf, assertNoPendingApproval, decide } from "@/server/runs/approvals";
import { assertMessageAllowed } from "@/server/limits/rate-limit";
import { validateToolArgs } from "@/server/agent/tools/validate";
import { announce } from "@/server/threads/activity";
import { branchRow } from "@/server/threads/branches";
import { toUiMessages } from "@/server/threads/messages";
import { localRun } from "@/server/runs/registry";
import { activeRunOfThread, getRun, requestCancel } from "@/server/runs/store";
import { watchRun } from "@/server/runs/watch";
import { metrics } from "@/server/observability/metrics";
import { createThread, getThread } from "@/server/threads/queries";
import { protectedProcedure, router } from "../init";
import { decision, messageText, opaqueId, threadId } from "../inputs";

const text = messageText;
const messageId = opaqueId("Message id");

const notFound = () => new TRPCError({ code: "NOT_FOUND", message: "Conversation not found" });
const messageNotFound = () => new TRPCError({ code: "NOT_FOUND", message: "Message not found" });

export const chatRouter = router({
  /** Starts an answer and returns at once; the answer arrives through `events`. */
  /**
   * `messageId`, made by the client, names the message from the moment it is typed, so the page
   * shows it once whether the history or the answer's events bring it back first.
   */
  send: protectedProcedure
    .input(z.object({ threadId: threadId.optional(), text, messageId: z.uuid("Not a valid message id").optional() }))
    .mutation(async ({ ctx, input }) => {
      assertAcceptingRuns();
      const thread = input.threadId ? await getThread(ctx.db, ctx.userId, input.threadId) : await createThread(ctx.db, ctx.userId);
      if (!thread) throw notFound();
      await assertNoPendingApproval(ctx.db, thread.id);
      if (input.messageId && (await branchRow(ctx.db, thread.id, input.messageId)))
        throw new TRPCError({ code: "CONFLICT", message: "This message was already sent" });
      await assertMessageAllowed(ctx.db, ctx.userId);
      const run = await startRun({
        db: ctx.db,
        agent: await ctx.agent(),
        requestId: ctx.requestId,
        userId: ctx.userId,
        threadId: thread.id,
        text: input.text,
        messageId: input.messageId,
      });
      return { threadId: thread.id, runId: run.id };
    }),

  /** Continues an answer that failed or was interrupted, from the thread's last checkpoint. */
  retry: protectedProcedure.input(z.object({ threadId })).mutation(async ({ ctx, input }) => {
    assertAcceptingRuns();
    if (!(await getThread(ctx.db, ctx.userId, input.threadId))) throw notFound();
    await assertNoPendingApproval(ctx.db, input.threadId);
    await assertMessageAllowed(ctx.db, ctx.userId);
    const run = await startRun({ db: ctx.db, agent: await ctx.agent(), requestId: ctx.requestId, userId: ctx.userId, threadId: input.threadId, text: null });
    return { threadId: input.threadId, runId: run.id };
  }),

  /** Edits a past user message: a new branch from the checkpoint before it, answered afresh. */
  edit: protectedProcedure.input(z.object({ threadId, messageId, text })).mutation(async ({ ctx, input }) => {
    assertAcceptingRuns();
    if (!(await getThread(ctx.db, ctx.userId, input.threadId))) throw notFound();
    await assertNoPendingApproval(ctx.db, input.threadId);
    const row = await branchRow(ctx.db, input.threadId, input.messageId);
    if (row?.role !== "user" || !row.baseCheckpointId) throw messageNotFound();
    await assertMessageAllowed(ctx.db, ctx.userId);
    const fork = { base: row.baseCheckpointId, after: row.parentId };
    const run = await startRun({
      db: ctx.db,
      agent: await ctx.agent(),
      requestId: ctx.requestId,
      userId: ctx.userId,
      threadId: input.threadId,
      text: input.text,
      fork,
    });
    return { threadId: input.threadId, runId: run.id };
  }),

  /** A new answer to the same user message, as a sibling of the one given. */
  regenerate: protectedProcedure.input(z.object({ threadId, messageId })).mutation(async ({ ctx, input }) => {
    assertAcceptingRuns();
    if (!(await getThread(ctx.db, ctx.userId, input.threadId))) throw notFound();
    await assertNoPendingApproval(ctx.db, input.threadId);
    const agent = await ctx.agent();
    const answer = await branchRow(ctx.db, input.threadId, input.messageId);
    const question = answer?.role === "assistant" && answer.parentId ? await branchRow(ctx.db, input.threadId, answer.parentId) : null;
    if (!question?.baseCheckpointId) throw messageNotFound();
    // The question's text, from the branch shown (the only place Regenerate is offered).
    const state = await agent.graph.getState({ configurable: { thread_id: input.threadId } });
    const asked = toUiMessages(state.values.messages ?? []).find((m) => m.id === question.messageId);
    if (asked?.role !== "user") throw messageNotFound();
    await assertMessageAllowed(ctx.db, ctx.userId);
    const fork = { base: question.baseCheckpointId, messageId: question.messageId, after: question.parentId };
    const run = await startRun({ db: ctx.db, agent, requestId: ctx.requestId, userId: ctx.userId, threadId: input.threadId, text: asked.text, fork });
    return { threadId: input.threadId, runId: run.id };
  }),

  /**
   * The user's decision on an action the agent asked to take. Applied once: a second decision on
   * the same action is a CONFLICT "Already decided". The last decision of a pause resumes the agent.
   */
  decide: protectedProcedure.input(z.object({ threadId, toolCallId: opaqueId("Action id"), decision })).mutation(async ({ ctx, input }) => {
    if (!(await getThread(ctx.db, ctx.userId, input.threadId))) throw notFound();
    const agent = await ctx.agent();
    if (input.decision.type === "edit") {
      const asked = await approvalOf(ctx.db, ctx.userId, input.threadId, input.toolCallId);
      if (asked) validateToolArgs(agent, asked.toolName, input.decision.args);
    }
    assertAcceptingRuns();
    const { status, resume } = await decide(ctx.db, { userId: ctx.userId, threadId: input.threadId, toolCallId: input.toolCallId, decision: input.decision });
    if (resume) launch(ctx.db, agent, resume.run, { message: null, titleFrom: null, resume: resume.decisions, requestId: ctx.requestId });
    else await announce(ctx.db, ctx.userId, input.threadId, "thread-changed");
    return { status, runId: resume?.run.id ?? null };
  }),

  stop: protectedProcedure.input(z.object({ threadId })).mutation(async ({ ctx, input }) => {
    if (!(await getThread(ctx.db, ctx.userId, input.threadId))) throw notFound();
    const run = await activeRunOfThread(ctx.db, input.threadId);
    if (!run) return { stopped: false };
    // Here at once if this instance runs it; otherwise its owner hears the request through Postgres.
    localRun(run.id)?.controller.abort();
    await requestCancel(ctx.db, run.id);
    return { stopped: true };
  }),

  /**
   * A run's events over SSE, each with a `<runId>:<seq>` id, from any instance: from memory where the
   * run executes, from Postgres elsewhere. A client that reconnects sends the last id it saw and gets
   * only what came after, so no token is repeated or lost. A client that joins without one (a page
   * opened mid-answer) gets the turn so far as one snapshot first; `<runId>:0` asks for every event.
   */
  events: protectedProcedure
    .input(z.object({ runId: z.uuid("Not a valid run id"), lastEventId: z.string().max(100).nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      const run = await getRun(ctx.db, input.runId, ctx.userId);
      if (!run) throw new TRPCError({ code: "NOT_FOUND", message: "Answer not found" });
      metrics().openStreams.inc();
      try {
        for await (const { seq, event } of watchRun(ctx.db, run.id, input.lastEventId, signal)) yield tracked(eventId(run.id, seq), event);
      } finally {
        metrics().openStreams.dec();
      }
    }),

  model: protectedProcedure.query(async ({ ctx }) => {
    const { choice } = await ctx.agent();
    return { provider: choice.provider, label: choice.label };
  }),
});
