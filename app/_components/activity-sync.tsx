"use client";
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useRouter } from "next/navigation";
import { useOpenThreadId } from "@/app/_lib/open-thread";
import { useTRPC } from "@/app/_lib/trpc";

// Query clients (one per page) whose activity stream has connected before: a later start is a reconnect.
const connectedBefore = new WeakSet<QueryClient>();

/**
 * Keeps this tab in step with the user's other tabs and devices: a thread created, renamed or
 * deleted elsewhere, or an answer started or finished elsewhere, refreshes what this tab shows.
 */
export function ActivitySync() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const openThreadId = useOpenThreadId();

  useSubscription(
    trpc.thread.activity.subscriptionOptions(undefined, {
      // Reconnected: anything may have changed while this tab was not listening. The first
      // connection refreshes the sidebar too: a thread created between this page's render and
      // now would otherwise be missed.
      onStarted: () => {
        void queryClient.invalidateQueries(connectedBefore.has(queryClient) ? trpc.thread.pathFilter() : trpc.thread.list.pathFilter());
        connectedBefore.add(queryClient);
      },
      onData: ({ threadId, kind }) => {
        void queryClient.invalidateQueries(trpc.thread.list.pathFilter());
        void queryClient.invalidateQueries(trpc.search.pathFilter());
        if (kind === "thread-deleted") {
          if (openThreadId === threadId) router.push("/");
          return;
        }
        if (kind === "thread-renamed" || kind === "run-ended") void queryClient.invalidateQueries(trpc.thread.get.queryFilter({ threadId: threadId }));
        if (kind === "run-started" || kind === "run-ended" || kind === "thread-changed")
          void queryClient.invalidateQueries(trpc.thread.messages.queryFilter({ threadId: threadId }));
      },
    }),
  );
  return null;
}
