"use client";
import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "./trpc";

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
