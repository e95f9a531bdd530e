/** Feedback on an answer (no imports: client-safe). */

/** "Good answer" and "Bad answer". */
export const RATINGS = ["good", "bad"] as const;
export type Rating = (typeof RATINGS)[number];

/** The longest comment on a bad answer, in characters; the database checks it too. */
export const MAX_FEEDBACK_COMMENT = 2_000;

/** The user's feedback on one answer, as the answer's buttons show it. */
export interface FeedbackView {
  messageId: string;
  rating: Rating;
  /** Only on a bad answer, and only if the user wrote one. */
  comment: string | null;
}
