import { z } from "zod";
import { sharePath } from "@/lib/share";
import { NotFound } from "@/server/errors";
import { continueShare, createShare, listShares, NOT_SHARED, type ShareSummary, shareOfThread, stopSharing, updateShare } from "@/server/share/store";
import { announce } from "@/server/threads/activity";
import { protectedProcedure, router, threadProcedure } from "../init";
import { shareId } from "../inputs";

const view = (s: ShareSummary) => ({ ...s, path: sharePath(s.id) });

/** A conversation's read-only link ("Share conversation"), and copying a shared one into the viewer's account. */
export const shareRouter = router({
  /** The conversation's link, or null when it is not shared. */
  ofThread: threadProcedure.query(async ({ ctx }) => {
    const share = await shareOfThread(ctx.db, ctx.userId, ctx.thread.id);
    return share && view(share);
  }),

  /** "Create link": a link already made is returned as it is. */
  create: threadProcedure.mutation(async ({ ctx }) => view(await createShare(ctx.db, await (await ctx.agents()).get(ctx.thread), ctx.userId, ctx.thread))),

  /** "Update link": the link shows the branch the conversation shows now. */
  update: threadProcedure.mutation(async ({ ctx }) => view(await updateShare(ctx.db, await (await ctx.agents()).get(ctx.thread), ctx.userId, ctx.thread))),

  /** "Stop sharing": the link then answers 404, as one that never existed. */
  stop: threadProcedure.mutation(async ({ ctx }) => {
    if (!(await stopSharing(ctx.db, ctx.userId, ctx.thread.id))) throw new NotFound(NOT_SHARED);
    return { threadId: ctx.thread.id };
  }),

  /** Settings' list of the user's shared links, newest first. */
  list: protectedProcedure.query(async ({ ctx }) => (await listShares(ctx.db, ctx.userId)).map(view)),

  /** "Continue in my account": a copy of the shared conversation, the viewer's own to continue. */
  continue: protectedProcedure.input(z.object({ shareId })).mutation(async ({ ctx, input }) => {
    const thread = await continueShare(ctx.db, await (await ctx.agents()).get(), ctx.userId, input.shareId);
    await announce(ctx.db, ctx.userId, thread.id, "thread-created");
    return thread;
  }),
});
