import { TRPCError, tracked } from "@trpc/server";
import { z } from "zod";
import { eventId, seqAfter } from "@/server/runs/events";
import { assertAcceptingRuns } from "@/server/runs/drain";
import { startRun } from "@/server/runs/execute";
import { followRun } from "@/server/runs/follow";
import { localRun } from "@/server/runs/registry";
import { activeRunOfThread, getRun, MAX_RUN_EVENTS, readEvents, requestCancel } from "@/server/runs/store";
import { withSnapshot } from "@/server/runs/turn";
import { createThread, getThread } from "@/server/threads/queries";
import { protectedProcedure, router } from "../init";

export const MAX_MESSAGE_LENGTH = 32_000;

const threadId = z.uuid("Not a valid conversation id");
const text = z
  .string()
  .trim()
  .min(1, "Message cannot be empty")
  .max(MAX_MESSAGE_LENGTH, `Message must be at most ${MAX_MESSAGE_LENGTH.toLocaleString("en")} characters`);

const notFound = () => new TRPCError({ code: "NOT_FOUND", message: "Conversation not found" });

export const chatRouter = router({
  /** Starts an answer and returns at once; the answer arrives through `events`. */
  send: protectedProcedure.input(z.object({ threadId: threadId.optional(), text })).mutation(async ({ ctx, input }) => {
    assertAcceptingRuns();
    const thread = input.threadId ? await getThread(ctx.db, ctx.userId, input.threadId) : await createThread(ctx.db, ctx.userId);
    if (!thread) throw notFound();
    const run = await startRun({ db: ctx.db, agent: await ctx.agent(), userId: ctx.userId, threadId: thread.id, text: input.text });
    return { threadId: thread.id, runId: run.id };
  }),

  /** Continues an answer that failed or was interrupted, from the thread's last checkpoint. */
  retry: protectedProcedure.input(z.object({ threadId })).mutation(async ({ ctx, input }) => {
    assertAcceptingRuns();
    if (!(await getThread(ctx.db, ctx.userId, input.threadId))) throw notFound();
    const run = await startRun({ db: ctx.db, agent: await ctx.agent(), userId: ctx.userId, threadId: input.threadId, text: null });
    return { threadId: input.threadId, runId: run.id };
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
      let after = seqAfter(input.lastEventId, run.id);
      const here = localRun(run.id);
      if (after === 0 && input.lastEventId !== eventId(run.id, 0)) {
        const backlog = here ? here.written() : await readEvents(ctx.db, run.id, 0, MAX_RUN_EVENTS);
        for (const { seq, event } of withSnapshot(backlog)) {
          yield tracked(eventId(run.id, seq), event);
          if (event.type === "run-end") return;
        }
        after = backlog.at(-1)?.seq ?? 0;
      }
      const source = here ? here.subscribe(after, signal) : followRun(ctx.db, run.id, after, signal);
      for await (const { seq, event } of source) yield tracked(eventId(run.id, seq), event);
    }),

  model: protectedProcedure.query(async ({ ctx }) => {
    const { choice } = await ctx.agent();
    return { provider: choice.provider, label: choice.label };
  }),
});
