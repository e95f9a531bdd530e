import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useCallback, useLayoutEffect, useMemo, useRef } from "react";
import { useRefreshThreads } from "@/app/_lib/thread-cache";
import { type RouterOutputs, useTRPC } from "@/app/_lib/trpc";
import type { AttachmentRef } from "@/lib/attachments";
import type { UiMessage } from "@/lib/messages";
import type { MessageActions } from "./message-list";
import type { LiveRun } from "./use-live-run";

/**
 * What the user can do in a conversation: send, stop, retry or continue, edit, regenerate, switch
 * branch, and what follows a decision on an action. Each that starts an answer hands it to the live
 * run. Without a thread id (the home page), the first message creates one and opens it.
 */
export function useConversationActions({
  threadId,
  messages,
  awaitingDecision,
  run,
  temporary = false,
  agentId = null,
}: {
  threadId?: string;
  /** On the home page: the first message makes a temporary chat (no memory read or written). */
  temporary?: boolean;
  /** On the home page: the agent the first message's conversation gets (null: the default one). */
  agentId?: string | null;
  /** The history as loaded: where an edit or regenerate forks. */
  messages: UiMessage[];
  /** Actions wait for the user's decision: nothing else may change the conversation. */
  awaitingDecision: boolean;
  run: LiveRun;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const refresh = useRefreshThreads();
  const { expect, follow, report, refused } = run;
  const begin = (result: RouterOutputs["chat"]["send"]) => {
    report(null);
    if (!threadId) {
      // The conversation it created opens from `send` below.
      void queryClient.invalidateQueries(trpc.thread.list.pathFilter());
      return;
    }
    follow(result.runId);
    void queryClient.invalidateQueries(trpc.thread.list.pathFilter());
  };
  const failed = (err: { message: string }) => refused(err.message);
  const send = useMutation(
    trpc.chat.send.mutationOptions({
      onSuccess: begin,
      onError: failed,
    }),
  );
  const retry = useMutation(trpc.chat.retry.mutationOptions({ onSuccess: begin, onError: (err) => report(err.message) }));
  const stop = useMutation(trpc.chat.stop.mutationOptions({ onError: (err) => report(err.message) }));
  const edit = useMutation(trpc.chat.edit.mutationOptions({ onSuccess: begin, onError: failed }));
  const regenerate = useMutation(trpc.chat.regenerate.mutationOptions({ onSuccess: begin, onError: failed }));
  const switchBranch = useMutation(trpc.thread.switchBranch.mutationOptions({ onSuccess: () => refresh(), onError: (err) => report(err.message) }));

  const answering = Boolean(run.runId) || send.isPending || retry.isPending || edit.isPending || regenerate.isPending;
  const locked = answering || awaitingDecision || switchBranch.isPending;

  // `mutate` is stable where the mutation's result object is not: the message actions stay the same
  // object while an answer streams, so the memoised past messages do not re-render at every token.
  const { mutate: editMessage } = edit;
  const { mutate: regenerateAnswer } = regenerate;
  const { mutate: showBranch } = switchBranch;
  const latest = useRef({ messages, threadId });
  useLayoutEffect(() => {
    latest.current = { messages, threadId };
  });
  const onEdit = useCallback(
    (messageId: string, text: string) => {
      const { messages, threadId } = latest.current;
      if (!threadId) return;
      const at = messages.findIndex((m) => m.id === messageId);
      const original = messages[at];
      // The edited message keeps its files (the server carries them over).
      expect({ text, forkAfter: at > 0 ? messages[at - 1]!.id : null, attachments: original?.role === "user" ? original.attachments : undefined });
      editMessage({ threadId, messageId, text });
    },
    [editMessage, expect],
  );
  const onRegenerate = useCallback(
    (messageId: string) => {
      const { messages, threadId } = latest.current;
      if (!threadId) return;
      const at = messages.findIndex((m) => m.id === messageId);
      const question = messages[at - 1];
      if (question?.role !== "user") return;
      expect({ text: question.text, forkAfter: at > 1 ? messages[at - 2]!.id : null, attachments: question.attachments });
      regenerateAnswer({ threadId, messageId });
    },
    [regenerateAnswer, expect],
  );
  const onSwitch = useCallback((messageId: string) => latest.current.threadId && showBranch({ threadId: latest.current.threadId, messageId }), [showBranch]);
  const messageActions: MessageActions = useMemo(() => ({ onEdit, onRegenerate, onSwitch, locked }), [onEdit, onRegenerate, onSwitch, locked]);

  return {
    answering,
    messageActions,
    /** Rejects when the message was not accepted, so the composer gives its text back. */
    send: (text: string, attachments: AttachmentRef[] = []) => {
      const messageId = crypto.randomUUID();
      expect({ id: messageId, text, ...(attachments.length > 0 && { attachments }) });
      return send.mutateAsync(
        {
          threadId,
          text,
          messageId,
          ...(!threadId && temporary && { temporary }),
          ...(!threadId && agentId && { agentId }),
          ...(attachments.length > 0 && { attachments: attachments.map((a) => a.id) }),
        },
        // A first message opens the conversation it created, unless New chat replaced this one meanwhile
        // (TanStack calls a call's own callbacks only while its component is on the page).
        { onSuccess: (result) => !threadId && router.push(`/c/${result.threadId}`) },
      );
    },
    stop: () => threadId && stop.mutate({ threadId }),
    /** Retry a failed answer, or Continue an interrupted one: both go on from the last checkpoint. */
    retry: () => threadId && retry.mutate({ threadId }),
    /** A decision on an action: the last one of a pause resumes the agent in a new run. */
    decided: (decidedRunId: RouterOutputs["chat"]["decide"]["runId"]) => {
      if (threadId && decidedRunId) begin({ threadId, runId: decidedRunId });
      else void refresh();
    },
  };
}
