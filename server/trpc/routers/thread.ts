import { z } from "zod";
import { NotFound } from "@/server/errors";
import { assertThreadAllowed } from "@/server/limits/rate-limit";
import { activeRunOfThread } from "@/server/runs/store";
import { currentApprovals, decisionsOf } from "@/server/runs/approvals";
import { cancelThreadRun, switchBranchTo } from "@/server/runs/lifecycle";
import { branchInfo } from "@/server/threads/branches";
import { type Activity, announce, parseActivity } from "@/server/threads/activity";
import { toUiMessages } from "@/server/threads/messages";
import type { RecordedStep } from "@/server/agent/graphs/steps";
import { listenUrl } from "@/server/runs/follow";
import { CHANNELS, notificationHub } from "@/server/runs/notify";
import { createThread, deleteThread, listThreads, renameThread, setThreadModel, THREAD_NOT_FOUND } from "@/server/threads/queries";
import { protectedProcedure, router, threadProcedure } from "../init";
import { configId, opaqueId, timestamp, title } from "../inputs";

export const MAX_PAGE_SIZE = 50;

/** A write that found no row: the thread went away (or was never the user's) since it was loaded. */
function found<T>(value: T | null): T {
  if (!value) throw new NotFound(THREAD_NOT_FOUND);
  return value;
}

export const threadRouter = router({
  list: protectedProcedure
    .input(
      z.object({
        limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(30),
        cursor: z.object({ updatedAt: timestamp("The cursor"), id: z.uuid() }).nullish(),
      }),
    )
    .query(({ ctx, input }) => listThreads(ctx.db, ctx.userId, input)),

  get: threadProcedure.query(({ ctx }) => ctx.thread),

  /** `temporary`: a temporary chat, which neither reads nor writes memory (it is still saved); `agentId`: its agent (the default one when left out). */
  create: protectedProcedure
    .input(z.object({ title: title.optional(), temporary: z.boolean().optional(), agentId: configId("Agent id").optional() }).optional())
    .mutation(async ({ ctx, input }) => {
      if (input?.agentId) (await ctx.agents()).check({ agentId: input.agentId });
      await assertThreadAllowed(ctx.db, ctx.userId);
      const thread = await createThread(ctx.db, ctx.userId, input?.title, input?.temporary ?? false, input?.agentId ?? null);
      await announce(ctx.db, ctx.userId, thread.id, "thread-created");
      return thread;
    }),

  /** The model that answers from the conversation's next message on: one its agent allows (null: the agent's default). */
  setModel: threadProcedure.input(z.object({ modelId: configId("Model id").nullable() })).mutation(async ({ ctx, input }) => {
    const registry = await ctx.agents();
    registry.check({ agentId: registry.resolve(ctx.thread).agent.id, modelId: input.modelId });
    const thread = found(await setThreadModel(ctx.db, ctx.userId, ctx.thread.id, input.modelId));
    await announce(ctx.db, ctx.userId, thread.id, "thread-changed");
    return thread;
  }),

  rename: threadProcedure.input(z.object({ title })).mutation(async ({ ctx, input }) => {
    const thread = found(await renameThread(ctx.db, ctx.userId, ctx.thread.id, input.title));
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
    const off = notificationHub(listenUrl(ctx.db)).on(CHANNELS.activity, (payload) => {
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
  messages: threadProcedure.query(async ({ ctx }) => {
    const id = ctx.thread.id;
    const { graph } = await (await ctx.agents()).get(ctx.thread);
    const [state, run, pending] = await Promise.all([
      graph.getState({ configurable: { thread_id: id } }),
      activeRunOfThread(ctx.db, id),
      currentApprovals(ctx.db, id),
    ]);
    // A multi-step graph's steps (server/agent/graphs/steps.ts) go back where they were taken.
    const messages = toUiMessages(state.values.messages ?? [], (state.values as { steps?: RecordedStep[] }).steps);
    const toolParts = messages.flatMap((m) => (m.role === "assistant" ? m.parts.filter((p) => p.type === "tool") : []));
    const [branches, decisions] = await Promise.all([
      branchInfo(ctx.db, id, messages),
      decisionsOf(
        ctx.db,
        id,
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
  switchBranch: threadProcedure.input(z.object({ messageId: opaqueId("Message id") })).mutation(async ({ ctx, input }) => {
    await switchBranchTo({ db: ctx.db, agents: await ctx.agents(), userId: ctx.userId }, { threadId: ctx.thread.id, messageId: input.messageId });
    return { id: ctx.thread.id };
  }),

  delete: threadProcedure.mutation(async ({ ctx }) => {
    const id = ctx.thread.id;
    await cancelThreadRun(ctx.db, id);
    found(await deleteThread(ctx.db, ctx.userId, id));
    await announce(ctx.db, ctx.userId, id, "thread-deleted");
    // Checkpoints are LangGraph's, keyed by thread id; they go with the thread.
    await (await (await ctx.agents()).get(ctx.thread)).checkpointer.deleteThread(id);
    return { id };
  }),
});
