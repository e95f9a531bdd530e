import { useSubscription } from "@trpc/tanstack-react-query";
import { useCallback, useState } from "react";
import { applyEvent, emptyTurn, type LiveTurn, type PendingMessage } from "@/app/_lib/live-turn";
import { useRefreshThreads } from "@/app/_lib/thread-cache";
import { useTRPC } from "@/app/_lib/trpc";
import type { RunEvent } from "@/lib/run-events";

/** What went wrong with the last answer, and what the user can do about it. */
export interface Problem {
  message: string;
  action: "Retry" | "Continue" | null;
}

// A subscription needs an input even while it is disabled; this one is never sent.
const NO_RUN = "00000000-0000-4000-8000-000000000000";

/**
 * The answer being written in a conversation, from the moment it is asked for until the history
 * holds it: the message on its way, then the run's events through `chat.events`, for the run this
 * page started or the one the history names as active (a page opened mid-answer, another tab's).
 * The subscription resumes after the last event it saw when its connection drops.
 */
export function useLiveRun(activeRunId: string | null | undefined) {
  const trpc = useTRPC();
  const refresh = useRefreshThreads();
  const [startedRunId, setStartedRunId] = useState<string | null>(null);
  const [pending, setPending] = useState<PendingMessage | null>(null);
  const [live, setLive] = useState<LiveTurn | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  // Runs whose end we have seen: the history may still name one as active until it is refetched.
  const [finishedRuns, setFinishedRuns] = useState<ReadonlySet<string>>(() => new Set());

  const candidate = startedRunId ?? activeRunId ?? null;
  const runId = candidate && !finishedRuns.has(candidate) ? candidate : null;

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
      { runId: runId ?? NO_RUN },
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

  /** A message is on its way: it shows at once, and the last answer's problem goes. */
  const expect = useCallback((message: PendingMessage) => {
    setProblem(null);
    setPending(message);
  }, []);
  /** The server started a run for it: follow that one. */
  const follow = useCallback((id: string) => {
    setStartedRunId(id);
    setLive(emptyTurn(id));
  }, []);
  const report = useCallback((message: string | null) => setProblem(message ? { message, action: null } : null), []);
  /** The message was not accepted: it goes, and the reason shows in its place. */
  const refused = useCallback(
    (message: string) => {
      setPending(null);
      report(message);
    },
    [report],
  );

  return { runId, live, pending, problem, expect, follow, report, refused };
}

export type LiveRun = ReturnType<typeof useLiveRun>;
