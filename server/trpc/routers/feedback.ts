import { z } from "zod";
import { RATINGS } from "@/lib/feedback";
import { NotFound } from "@/server/errors";
import { feedbackOfThread, setFeedback } from "@/server/feedback/store";
import { toUiMessages } from "@/server/threads/messages";
import { router, threadProcedure } from "../init";
import { feedbackComment, opaqueId } from "../inputs";

const MESSAGE_NOT_FOUND = "Message not found";

/** "Good answer" and "Bad answer" under each answer of the user's conversations. */
export const feedbackRouter = router({
  /** The user's feedback on the conversation's answers. */
  ofThread: threadProcedure.query(async ({ ctx }) =>
    (await feedbackOfThread(ctx.db, ctx.userId, ctx.thread.id)).map(({ messageId, rating, comment }) => ({ messageId, rating, comment })),
  ),

  /**
   * Rates an answer on the branch shown, or (rating null) takes the rating back. A comment goes with
   * "Bad answer" only. Counted under the conversation's agent and the model the answer recorded (else
   * the conversation's model now, for answers from before answers recorded it).
   */
  set: threadProcedure
    .input(
      z
        .object({
          messageId: opaqueId("Message id"),
          rating: z.enum(RATINGS, "Rating must be good, bad or null").nullable(),
          comment: feedbackComment.nullish(),
        })
        .refine((i) => !i.comment || i.rating === "bad", { message: "Only a bad answer takes a comment", path: ["comment"] }),
    )
    .mutation(async ({ ctx, input }) => {
      const agent = await (await ctx.agents()).get(ctx.thread);
      const state = await agent.graph.getState({ configurable: { thread_id: ctx.thread.id } });
      const answer = toUiMessages(state.values.messages ?? []).find((m) => m.id === input.messageId);
      if (answer?.role !== "assistant") throw new NotFound(MESSAGE_NOT_FOUND);
      const key = { userId: ctx.userId, threadId: ctx.thread.id, messageId: answer.id };
      const served = { agent: agent.id, model: answer.model ?? agent.answeredBy.model };
      return { messageId: answer.id, feedback: await setFeedback(ctx.db, key, { rating: input.rating, comment: input.comment ?? null }, served) };
    }),
});
