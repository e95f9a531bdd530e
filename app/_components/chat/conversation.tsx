"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useRouter } from "next/navigation";
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from "react";
import { applyEvent, emptyTurn, type LiveTurn, type PendingMessage } from "@/app/_lib/live-turn";
import { mergeTurn } from "@/app/_lib/merge-turn";
import { useTRPC } from "@/app/_lib/trpc";
import type { RunEvent } from "@/lib/run-events";
import { Composer } from "../composer";
import { ApprovalCard } from "./approval-card";
import { MessageView, TokenCount } from "./message-list";
import { ModelBadge } from "./model-badge";

/**
 * A conversation: its history from the checkpoint, plus the answer being written now, followed live
 * through `chat.events`. Without a thread id it is the home page, whose first message creates one.
 */
export function Conversation({ threadId }: { threadId?: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const thread = useQuery({ ...trpc.thread.get.queryOptions({ id: threadId ?? "" }), enabled: Boolean(threadId) });
  const history = useQuery({ ...trpc.thread.messages.queryOptions({ id: threadId ?? "" }), enabled: Boolean(threadId) });

  const [startedRunId, setStartedRunId] = useState<string | null>(null);
  // The message on its way before its run reports, and for an edit or regenerate, where it forks.
  const [pending, setPending] = useState<PendingMessage | null>(null);
  const [live, setLive] = useState<LiveTurn | null>(null);
  // What went wrong with the last answer, and what the user can do about it.
  const [problem, setProblem] = useState<{ message: string; action: "Retry" | "Continue" | null } | null>(null);
  const setError = (message: string | null) => setProblem(message ? { message, action: null } : null);
  // Runs whose end we have seen: the history may still name one as active until it is refetched.
  const [finishedRuns, setFinishedRuns] = useState<ReadonlySet<string>>(() => new Set());

  const candidate = startedRunId ?? history.data?.activeRunId ?? null;
  const runId = candidate && !finishedRuns.has(candidate) ? candidate : null;

  const refresh = useCallback(
    () =>
      Promise.all([
        queryClient.invalidateQueries(trpc.thread.messages.queryFilter()),
        queryClient.invalidateQueries(trpc.thread.list.pathFilter()),
        queryClient.invalidateQueries(trpc.thread.get.queryFilter()),
      ]),
    [queryClient, trpc],
  );

  const finish = useCallback(
    async (id: string, end: Extract<RunEvent, { type: "run-end" }> | null) => {
      setFinishedRuns((done) => new Set(done).add(id));
      if (end?.status === "failed") setProblem({ message: end.error ?? "The answer failed.", action: "Retry" });
      if (end?.status === "interrupted") setProblem({ message: end.error ?? "This answer was interrupted.", action: "Continue" });
      await refresh();
      // Only now does the history hold the turn, so swapping the live copy out does not flicker.
      setLive((t) => (t?.runId === id ? null : t));
      setStartedRunId((r) => (r === id ? null : r));
      setPending(null);
    },
    [refresh],
  );

  useSubscription(
    trpc.chat.events.subscriptionOptions(
      { runId: runId ?? "00000000-0000-4000-8000-000000000000" },
      {
        enabled: Boolean(runId),
        onData: (envelope) => {
          if (!runId) return;
          const event = envelope.data;
          setLive((t) => applyEvent(t?.runId === runId ? t : emptyTurn(runId), event));
          if (event.type === "run-end") void finish(runId, event);
        },
        // The run is gone (finished long ago, or the server restarted): the history has the rest.
        onError: () => runId && void finish(runId, null),
      },
    ),
  );

  const begin = (result: { threadId: string; runId: string }) => {
    setError(null);
    if (!threadId) {
      void queryClient.invalidateQueries(trpc.thread.list.pathFilter());
      router.push(`/c/${result.threadId}`);
      return;
    }
    setStartedRunId(result.runId);
    setLive(emptyTurn(result.runId));
    void queryClient.invalidateQueries(trpc.thread.list.pathFilter());
  };
  const failed = (err: { message: string }) => {
    setPending(null);
    setError(err.message);
  };
  const send = useMutation(
    trpc.chat.send.mutationOptions({
      onMutate: ({ text, messageId }) => {
        setError(null);
        setPending({ id: messageId, text });
      },
      onSuccess: begin,
      onError: failed,
    }),
  );
  const retry = useMutation(trpc.chat.retry.mutationOptions({ onSuccess: begin, onError: (err) => setError(err.message) }));
  const stop = useMutation(trpc.chat.stop.mutationOptions({ onError: (err) => setError(err.message) }));
  const edit = useMutation(trpc.chat.edit.mutationOptions({ onSuccess: begin, onError: failed }));
  const regenerate = useMutation(trpc.chat.regenerate.mutationOptions({ onSuccess: begin, onError: failed }));
  const switchBranch = useMutation(trpc.thread.switchBranch.mutationOptions({ onSuccess: () => refresh(), onError: (err) => setError(err.message) }));

  const answering = Boolean(runId) || send.isPending || retry.isPending || edit.isPending || regenerate.isPending;
  const messages = useMemo(() => history.data?.messages ?? [], [history.data]);
  const approvals = history.data?.approvals ?? [];
  const waiting = approvals.length > 0 && !answering;

  const latest = useRef({ messages, threadId });
  useLayoutEffect(() => {
    latest.current = { messages, threadId };
  });
  const locked = answering || approvals.length > 0 || switchBranch.isPending;
  const onEdit = useCallback(
    (messageId: string, text: string) => {
      const { messages, threadId } = latest.current;
      if (!threadId) return;
      const at = messages.findIndex((m) => m.id === messageId);
      setError(null);
      setPending({ text, forkAfter: at > 0 ? messages[at - 1]!.id : null });
      edit.mutate({ threadId, messageId, text });
    },
    [edit],
  );
  const onRegenerate = useCallback(
    (messageId: string) => {
      const { messages, threadId } = latest.current;
      if (!threadId) return;
      const at = messages.findIndex((m) => m.id === messageId);
      const question = messages[at - 1];
      if (question?.role !== "user") return;
      setError(null);
      setPending({ text: question.text, forkAfter: at > 1 ? messages[at - 2]!.id : null });
      regenerate.mutate({ threadId, messageId });
    },
    [regenerate],
  );
  const onSwitch = useCallback(
    (messageId: string) => latest.current.threadId && switchBranch.mutate({ id: latest.current.threadId, messageId }),
    [switchBranch],
  );
  const actions = useMemo(() => ({ onEdit, onRegenerate, onSwitch, locked }), [onEdit, onRegenerate, onSwitch, locked]);

  const { earlier, turn } = mergeTurn(messages, live, pending);
  const shown = [...earlier, ...turn];
  const shownProblem = answering
    ? null
    : (problem ?? (history.data?.interrupted ? { message: "This answer was interrupted before it finished.", action: "Continue" as const } : null));
  const empty = shown.length === 0;

  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  });

  return (
    <main className="flex min-h-0 flex-1 flex-col">
      <div className="flex items-center gap-3 border-b border-zinc-200 px-4 py-3">
        <h1 className="min-w-0 flex-1 truncate text-base font-semibold">{threadId ? (thread.data?.title ?? "Conversation") : "New chat"}</h1>
        {history.data && history.data.usage.input + history.data.usage.output > 0 && <TokenCount usage={history.data.usage} label="This conversation: " />}
        <ModelBadge />
      </div>
      <div
        ref={scroller}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
        }}
        className="min-h-0 flex-1 overflow-y-auto"
      >
        <section aria-label="Messages" className="mx-auto flex w-full max-w-3xl flex-col gap-6 px-4 py-6">
          {empty &&
            (threadId ? (
              <p className="py-16 text-center text-sm text-zinc-500">No messages yet.</p>
            ) : (
              <div className="py-16 text-center">
                <h2 className="text-2xl font-semibold">What can I help with?</h2>
                <p className="mt-2 text-sm text-zinc-500">Ask anything. Try “what is 12*7?”</p>
              </div>
            ))}
          {shown.map((m, i) => (
            <MessageView
              key={m.id}
              message={m}
              streaming={Boolean(live && !live.ended && i === shown.length - 1)}
              actions={i < earlier.length && threadId ? actions : undefined}
            />
          ))}
          {threadId && !answering && approvals.length > 0 && (
            <div className="flex flex-col gap-3">
              {approvals.map((a) => (
                <ApprovalCard
                  key={a.toolCallId}
                  threadId={threadId}
                  approval={a}
                  onDecided={(decidedRunId) => {
                    if (decidedRunId) begin({ threadId, runId: decidedRunId });
                    else void refresh();
                  }}
                />
              ))}
            </div>
          )}
          {shownProblem && (
            <div role="alert" className="flex items-center justify-between gap-3 rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
              <span>{shownProblem.message}</span>
              {threadId && shownProblem.action && (
                <button
                  type="button"
                  onClick={() => retry.mutate({ threadId })}
                  className="shrink-0 rounded-md border border-red-300 bg-white px-2 py-1 font-medium hover:bg-red-100"
                >
                  {shownProblem.action}
                </button>
              )}
            </div>
          )}
        </section>
      </div>
      <Composer
        answering={Boolean(runId)}
        sending={answering}
        waitingForDecision={waiting}
        onSend={(text) => {
          atBottom.current = true;
          return send.mutateAsync({ threadId, text, messageId: crypto.randomUUID() });
        }}
        onStop={() => threadId && stop.mutate({ threadId })}
      />
    </main>
  );
}
