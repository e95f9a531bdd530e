import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { localRun } from "@/server/runs/registry";
import { activeRunOfThread, requestCancel, STILL_ANSWERING } from "@/server/runs/store";
import { assertNoPendingApproval, currentApprovals, decisionsOf } from "@/server/runs/approvals";
import { branchInfo, switchBranch } from "@/server/threads/branches";
import { type Activity, announce, parseActivity } from "@/server/threads/activity";
import { toUiMessages } from "@/server/threads/messages";
import { connectionString } from "@/server/runs/follow";
import { CHANNELS, notificationHub } from "@/server/runs/notify";
import { createThread, deleteThread, getThread, listThreads, renameThread } from "@/server/threads/queries";
import { protectedProcedure, router } from "../init";
import { opaqueId, threadId, title } from "../inputs";

export const MAX_PAGE_SIZE = 50;

function found<T>(value: T | null | false): T {
  if (!value) throw new TRPCError({ code: "NOT_FOUND", message: "Conversation not found" });
  return value;
}

export const threadRouter = router({
  list: protectedProcedure
    .input(
      z.object({
        limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(30),
        cursor: z.object({ updatedAt: z.date(), id: z.uuid() }).nullish(),
      }),
    )
    .query(({ ctx, input }) => listThreads(ctx.db, ctx.userId, input)),

  get: protectedProcedure.input(z.object({ id: threadId })).query(async ({ ctx, input }) => found(await getThread(ctx.db, ctx.userId, input.id))),

  create: protectedProcedure.input(z.object({ title: title.optional() }).optional()).mutation(async ({ ctx, input }) => {
    const thread = await createThread(ctx.db, ctx.userId, input?.title);
    await announce(ctx.db, ctx.userId, thread.id, "thread-created");
    return thread;
  }),

  rename: protectedProcedure.input(z.object({ id: threadId, title })).mutation(async ({ ctx, input }) => {
    const thread = found(await renameThread(ctx.db, ctx.userId, input.id, input.title));
    await announce(ctx.db, ctx.userId, thread.id, "thread-renamed");
    return thread;
  }),

  /**
   * What changes in the user's threads, made anywhere (another tab, another instance): ids only, so
   * the client refetches what it shows. No event ids: after a reconnect it refetches everything.
   */
  activity: protectedProcedure.subscription(async function* ({ ctx, signal }) {
    const queue: Activity[] = [];
    let wake: (() => void) | null = null;
    const off = notificationHub(connectionString(ctx.db)).on(CHANNELS.activity, (payload) => {
      const activity = parseActivity(payload, ctx.userId);
      if (!activity) return;
      queue.push(activity);
      wake?.();
    });
    const onAbort = () => wake?.();
    signal?.addEventListener("abort", onAbort);
    try {
      while (!signal?.aborted) {
        while (queue.length) yield queue.shift()!;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    } finally {
      off();
      signal?.removeEventListener("abort", onAbort);
    }
  }),

  /**
   * The conversation's current branch from its latest checkpoint, each message with its versions;
   * the actions waiting for the user's decision; and whether an answer is being written now.
   */
  messages: protectedProcedure.input(z.object({ id: threadId })).query(async ({ ctx, input }) => {
    found(await getThread(ctx.db, ctx.userId, input.id));
    const { graph } = await ctx.agent();
    const [state, run, pending] = await Promise.all([
      graph.getState({ configurable: { thread_id: input.id } }),
      activeRunOfThread(ctx.db, input.id),
      currentApprovals(ctx.db, input.id),
    ]);
    const messages = toUiMessages(state.values.messages ?? []);
    const toolParts = messages.flatMap((m) => (m.role === "assistant" ? m.parts.filter((p) => p.type === "tool") : []));
    const [branches, decisions] = await Promise.all([
      branchInfo(ctx.db, input.id, messages),
      decisionsOf(
        ctx.db,
        input.id,
        toolParts.map((p) => p.id),
      ),
    ]);
    for (const m of messages) m.branch = branches.get(m.id);
    for (const part of toolParts) part.approval = decisions.get(part.id);
    const paused = state.tasks.some((task) => task.interrupts?.length);
    const usage = messages.reduce(
      (sum, m) => (m.role === "assistant" && m.usage ? { input: sum.input + m.usage.input, output: sum.output + m.usage.output } : sum),
      { input: 0, output: 0 },
    );
    return {
      messages,
      /** Tokens the answers on this branch used, as the provider reported them. */
      usage,
      approvals: pending.map((a) => ({
        toolCallId: a.toolCallId,
        name: a.toolName,
        args: a.args,
        status: a.status,
        decidedArgs: a.decidedArgs,
        reason: a.reason,
      })),
      activeRunId: run?.id ?? null,
      // The graph still has steps to take but nothing is running them: the answer was cut off.
      interrupted: !run && !paused && state.next.length > 0,
    };
  }),

  /** Shows the branch through another version of a message, and continues there from now on. */
  switchBranch: protectedProcedure.input(z.object({ id: threadId, messageId: opaqueId("Message id") })).mutation(async ({ ctx, input }) => {
    found(await getThread(ctx.db, ctx.userId, input.id));
    if (await activeRunOfThread(ctx.db, input.id)) throw new TRPCError({ code: "CONFLICT", message: STILL_ANSWERING });
    await assertNoPendingApproval(ctx.db, input.id);
    if (!(await switchBranch(ctx.db, await ctx.agent(), input.id, input.messageId))) throw new TRPCError({ code: "NOT_FOUND", message: "Message not found" });
    await announce(ctx.db, ctx.userId, input.id, "thread-changed");
    return { id: input.id };
  }),

  delete: protectedProcedure.input(z.object({ id: threadId })).mutation(async ({ ctx, input }) => {
    found(await getThread(ctx.db, ctx.userId, input.id));
    const run = await activeRunOfThread(ctx.db, input.id);
    if (run) {
      localRun(run.id)?.controller.abort();
      await requestCancel(ctx.db, run.id);
    }
    found(await deleteThread(ctx.db, ctx.userId, input.id));
    await announce(ctx.db, ctx.userId, input.id, "thread-deleted");
    // Checkpoints are LangGraph's, keyed by thread id; they go with the thread.
    await (await ctx.agent()).checkpointer.deleteThread(input.id);
    return { id: input.id };
  }),
});
