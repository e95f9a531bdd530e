"use client";

/** The next page of a list, on request. */
export function LoadMore({
  list,
  className = "",
}: {
  list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
  className?: string;
}) {
  if (!list.hasNextPage) return null;
  return (
    <button
      type="button"
      onClick={() => list.fetchNextPage()}
      disabled={list.isFetchingNextPage}
      className={`w-full rounded-lg px-2 py-1.5 text-sm text-zinc-600 disabled:opacity-60 ${className}`}
    >
      {list.isFetchingNextPage ? "Loading…" : "Load more"}
    </button>
  );
}
