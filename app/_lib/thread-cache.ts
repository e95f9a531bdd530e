"use client";
import { type InfiniteData, type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { type RouterOutputs, useTRPC } from "./trpc";

type ListPage = RouterOutputs["thread"]["list"];
type ThreadSummary = ListPage["items"][number];

/**
 * Applies a change to every cached page of the sidebar list (whatever its page size), so the
 * sidebar reflects a rename or delete before the server round trip ends.
 */
export function patchThreadLists(queryClient: QueryClient, listKey: readonly unknown[], patch: (item: ThreadSummary) => ThreadSummary | null) {
  queryClient.setQueriesData<InfiniteData<ListPage>>({ queryKey: listKey }, (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((page) => ({
            ...page,
            items: page.items.flatMap((item) => {
              const next = patch(item);
              return next ? [next] : [];
            }),
          })),
        }
      : data,
  );
}

/** After an answer or a branch switch, the conversation, its title, the sidebar's order and what search finds may all have changed. */
export function useRefreshThreads() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useCallback(
    () =>
      Promise.all([
        queryClient.invalidateQueries(trpc.thread.messages.queryFilter()),
        queryClient.invalidateQueries(trpc.thread.list.pathFilter()),
        queryClient.invalidateQueries(trpc.thread.get.queryFilter()),
        queryClient.invalidateQueries(trpc.search.pathFilter()),
      ]),
    [queryClient, trpc],
  );
}
