"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/app/_lib/trpc";
import { MAX_FEEDBACK_COMMENT, type Rating } from "@/lib/feedback";

const button = "rounded px-1.5 py-0.5 text-xs text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 aria-pressed:bg-zinc-200 aria-pressed:text-zinc-900";

/**
 * "Good answer" and "Bad answer" under an answer; pressing the chosen one again takes it back.
 * "Bad answer" then offers a comment, which may be left empty. The conversation's feedback is one
 * query, shared by all its answers.
 */
export function FeedbackButtons({ threadId, messageId }: { threadId: string; messageId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const all = trpc.feedback.ofThread.queryOptions({ threadId });
  const mine = useQuery({ ...all, select: (list) => list.find((f) => f.messageId === messageId) ?? null });
  const [commenting, setCommenting] = useState(false);
  const [comment, setComment] = useState("");
  const set = useMutation(
    trpc.feedback.set.mutationOptions({
      onSuccess: ({ feedback }) =>
        queryClient.setQueryData(all.queryKey, (list) => [...(list ?? []).filter((f) => f.messageId !== messageId), ...(feedback ? [feedback] : [])]),
    }),
  );
  const rating = set.isPending ? set.variables.rating : (mine.data?.rating ?? null);
  const choose = (chosen: Rating) => {
    const next = rating === chosen ? null : chosen;
    set.mutate({ threadId, messageId, rating: next });
    setCommenting(next === "bad");
    setComment("");
  };

  return (
    <>
      <button type="button" className={button} aria-pressed={rating === "good"} onClick={() => choose("good")}>
        Good answer
      </button>
      <button type="button" className={button} aria-pressed={rating === "bad"} onClick={() => choose("bad")}>
        Bad answer
      </button>
      {set.error && (
        <span role="alert" className="text-xs text-red-600">
          {set.error.message}
        </span>
      )}
      {commenting && (
        <form
          aria-label="What was wrong with this answer?"
          className="basis-full space-y-2 pt-1"
          onSubmit={(e) => {
            e.preventDefault();
            set.mutate({ threadId, messageId, rating: "bad", comment: comment.trim() || null });
            setCommenting(false);
          }}
        >
          <label htmlFor={`feedback-${messageId}`} className="block text-xs text-zinc-600">
            What was wrong with this answer? (optional)
          </label>
          <textarea
            id={`feedback-${messageId}`}
            autoFocus
            rows={2}
            maxLength={MAX_FEEDBACK_COMMENT}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            className="block w-full rounded-lg border border-zinc-300 px-3 py-2 text-sm focus:border-indigo-500 focus:outline-none"
          />
          <div className="flex justify-end gap-2 text-xs">
            <button type="button" onClick={() => setCommenting(false)} className="rounded-md border border-zinc-300 px-2.5 py-1 hover:bg-zinc-100">
              Skip
            </button>
            <button type="submit" className="rounded-md bg-indigo-600 px-2.5 py-1 font-medium text-white hover:bg-indigo-500">
              Send feedback
            </button>
          </div>
        </form>
      )}
    </>
  );
}
