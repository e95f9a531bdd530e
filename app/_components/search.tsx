"use client";
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Fragment, useEffect, useRef, useState } from "react";
import { ariaKeysOf, SHORTCUTS, useShortcut } from "@/app/_lib/shortcuts";
import { type RouterOutputs, useTRPC } from "@/app/_lib/trpc";
import { MAX_SEARCH_LENGTH } from "@/lib/limits";
import { messageHref } from "@/lib/links";
import { markedSegments } from "@/lib/search";

type Hit = RouterOutputs["search"]["conversations"]["items"][number];

const SEARCH_PAGE_SIZE = 20;
/** Long enough that typing a word asks once, short enough to feel immediate. */
const TYPING_PAUSE_MS = 200;

/** The query being searched for: what is typed, once typing pauses; nothing as soon as the box is cleared. */
export function useSearchQuery(text: string): string {
  const typed = text.trim();
  const [settled, setSettled] = useState(typed);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(typed), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [typed]);
  return typed ? settled : "";
}

/** The sidebar's searchbox. Ctrl+K (⌘K on a Mac) focuses it from anywhere on the page; Escape clears it. */
export function SearchBox({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const input = useRef<HTMLInputElement>(null);
  useShortcut("search", () => {
    input.current?.focus();
    input.current?.select();
  });
  return (
    <div role="search" className="px-3 pb-2">
      <input
        ref={input}
        type="search"
        aria-label="Search conversations"
        aria-keyshortcuts={ariaKeysOf(SHORTCUTS.search)}
        placeholder="Search (Ctrl K)"
        value={value}
        maxLength={MAX_SEARCH_LENGTH}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          // Shift+Escape is the composer's shortcut, not a clear.
          if (e.key === "Escape" && !e.shiftKey) {
            e.preventDefault();
            onChange("");
          } else if (e.key === "ArrowDown") {
            e.preventDefault();
            document.querySelector<HTMLElement>("#search-results a")?.focus();
          }
        }}
        className="w-full rounded-lg border border-zinc-300 bg-white px-3 py-1.5 text-sm placeholder:text-zinc-400 focus:border-indigo-500 focus:outline-none"
      />
    </div>
  );
}

/** Matched words highlighted: the marks are split into text and <mark> elements, never parsed as HTML. */
function Marked({ text }: { text: string }) {
  return markedSegments(text).map((segment, i) =>
    segment.marked ? (
      <mark key={i} className="rounded-sm bg-amber-200 text-inherit">
        {segment.text}
      </mark>
    ) : (
      <Fragment key={i}>{segment.text}</Fragment>
    ),
  );
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const hrefOf = (hit: Hit) => messageHref(hit.threadId, hit.messageId);

/** The results for `query`, best first, a page at a time; choosing one opens the conversation at that message. */
export function SearchResults({ query }: { query: string }) {
  const trpc = useTRPC();
  const results = useInfiniteQuery(
    trpc.search.conversations.infiniteQueryOptions(
      { query, limit: SEARCH_PAGE_SIZE },
      { getNextPageParam: (page) => page.nextCursor, placeholderData: keepPreviousData },
    ),
  );
  const hits = results.data?.pages.flatMap((page) => page.items) ?? [];

  // Up and down move between results, as in a list; the first result's Up goes back to the box.
  const onKeyDown = (e: React.KeyboardEvent<HTMLUListElement>) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const links = [...e.currentTarget.querySelectorAll<HTMLElement>("a")];
    const at = links.indexOf(document.activeElement as HTMLElement);
    e.preventDefault();
    if (e.key === "ArrowUp" && at <= 0) document.querySelector<HTMLElement>('input[aria-label="Search conversations"]')?.focus();
    else links[Math.min(links.length - 1, at + (e.key === "ArrowDown" ? 1 : -1))]?.focus();
  };

  return (
    <div className="min-h-0 flex-1 overflow-y-auto px-2 pb-2">
      {results.isError ? (
        <p role="alert" className="px-2 text-sm text-red-600">
          Could not search.{" "}
          <button type="button" className="underline" onClick={() => results.refetch()}>
            Try again
          </button>
        </p>
      ) : results.isPending ? (
        <p className="px-2 py-1 text-sm text-zinc-500">Searching…</p>
      ) : hits.length === 0 ? (
        <p className="px-2 py-1 text-sm text-zinc-500">Nothing found.</p>
      ) : (
        <ul id="search-results" aria-label="Search results" className="space-y-0.5" onKeyDown={onKeyDown}>
          {hits.map((hit) => (
            <li key={hit.id}>
              <Link href={hrefOf(hit)} className="block rounded-lg px-2 py-1.5 hover:bg-zinc-100 focus:bg-zinc-100 focus:outline-none">
                <span className="flex items-baseline gap-2">
                  <span className="min-w-0 flex-1 truncate text-sm font-medium">
                    <Marked text={hit.title} />
                  </span>
                  <time dateTime={hit.at.toISOString()} className="shrink-0 text-xs text-zinc-500">
                    {dateFormat.format(hit.at)}
                  </time>
                </span>
                {hit.snippet !== null && (
                  <span className="line-clamp-2 text-xs text-zinc-600">
                    <Marked text={hit.snippet} />
                  </span>
                )}
              </Link>
            </li>
          ))}
        </ul>
      )}
      {results.hasNextPage && (
        <button
          type="button"
          onClick={() => results.fetchNextPage()}
          disabled={results.isFetchingNextPage}
          className="mt-2 w-full rounded-lg px-2 py-1.5 text-sm text-zinc-600 hover:bg-zinc-200 disabled:opacity-60"
        >
          {results.isFetchingNextPage ? "Loading…" : "More results"}
        </button>
      )}
    </div>
  );
}
