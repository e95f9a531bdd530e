import { and, asc, eq, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { feedback } from "@/db/schema";
import type { FeedbackView, Rating } from "@/lib/feedback";
import { metrics } from "@/server/observability/metrics";

// Every query is scoped by user id and thread: the router has checked the thread is the user's.

/** Who wrote the answer being rated. */
export interface ServedBy {
  agent: string;
  model: string;
}

export interface StoredFeedback extends FeedbackView, ServedBy {
  createdAt: Date;
  updatedAt: Date;
}

const columns = {
  messageId: feedback.messageId,
  rating: feedback.rating,
  comment: feedback.comment,
  agent: feedback.agent,
  model: feedback.model,
  createdAt: feedback.createdAt,
  updatedAt: feedback.updatedAt,
};

/**
 * Gives, changes or (rating null) takes back the user's rating of an answer. A good answer keeps no
 * comment (the router refuses one). Counted in the metrics: the new rating as given, the one it replaces as withdrawn.
 */
export async function setFeedback(
  db: DB,
  key: { userId: string; threadId: string; messageId: string },
  choice: { rating: Rating | null; comment: string | null },
  served: ServedBy,
): Promise<FeedbackView | null> {
  const where = and(eq(feedback.userId, key.userId), eq(feedback.threadId, key.threadId), eq(feedback.messageId, key.messageId));
  const { previous, view } = await db.transaction(async (tx) => {
    const [before] = await tx.select({ rating: feedback.rating, agent: feedback.agent, model: feedback.model }).from(feedback).where(where).for("update");
    if (!choice.rating) {
      await tx.delete(feedback).where(where);
      return { previous: before ?? null, view: null };
    }
    const values = { rating: choice.rating, comment: choice.comment || null, ...served };
    const [row] = await tx
      .insert(feedback)
      .values({ ...key, ...values })
      .onConflictDoUpdate({ target: [feedback.threadId, feedback.messageId, feedback.userId], set: { ...values, updatedAt: sql`now()` } })
      .returning({ messageId: feedback.messageId, rating: feedback.rating, comment: feedback.comment });
    return { previous: before ?? null, view: row! };
  });
  const m = metrics();
  if (previous && previous.rating !== view?.rating) m.feedbackWithdrawn.inc({ agent: previous.agent, model: previous.model, rating: previous.rating });
  if (view && previous?.rating !== view.rating) m.feedbackGiven.inc({ ...served, rating: view.rating });
  return view;
}

/** The user's feedback on a conversation's answers, oldest first: for the answers' buttons and the export. */
export function feedbackOfThread(db: DB, userId: string, threadId: string): Promise<StoredFeedback[]> {
  return db
    .select(columns)
    .from(feedback)
    .where(and(eq(feedback.userId, userId), eq(feedback.threadId, threadId)))
    .orderBy(asc(feedback.createdAt), asc(feedback.messageId));
}
