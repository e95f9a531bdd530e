"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { signOutAction } from "@/app/(chat)/actions";
import { useOpenThreadId } from "@/app/_lib/open-thread";
import { ariaKeysOf, SHORTCUTS, useShortcut } from "@/app/_lib/shortcuts";
import { nextThreadCursor, sidebarListInput } from "@/app/_lib/sidebar-query";
import { useTRPC } from "@/app/_lib/trpc";
import { LoadMore } from "./load-more";
import { SearchBox, SearchResults, useSearchQuery } from "./search";
import { ThemePicker } from "./theme-picker";
import { ThreadItem } from "./thread-item";

/** `onNewChat`: shows a new, empty conversation; nothing is created until its first message. */
export function Sidebar({ email, onNewChat }: { email: string; onNewChat: () => void }) {
  const trpc = useTRPC();
  const openThreadId = useOpenThreadId();
  const [searchText, setSearchText] = useState("");
  const searching = useSearchQuery(searchText);

  const list = useInfiniteQuery(trpc.thread.list.infiniteQueryOptions(sidebarListInput, { getNextPageParam: nextThreadCursor }));

  const threads = list.data?.pages.flatMap((p) => p.items) ?? [];
  // Each conversation's agent is marked when it is not the default one (whose conversations are most).
  const agents = useQuery(trpc.chat.agents.queryOptions(undefined, { staleTime: 5 * 60_000 })).data;
  const agentName = (id: string | null) =>
    id && agents && id !== agents.defaultAgentId ? (agents.agents.find((a) => a.id === id)?.name ?? undefined) : undefined;
  // The conversation above or below the open one in the list; from a new chat, Down opens the newest.
  const router = useRouter();
  const open = (by: 1 | -1) => {
    const at = threads.findIndex((t) => t.id === openThreadId);
    const target = at === -1 ? (by === 1 ? threads[0] : undefined) : threads[at + by];
    if (target) router.push(`/c/${target.id}`);
  };
  useShortcut("previousConversation", () => open(-1));
  useShortcut("nextConversation", () => open(1));

  return (
    <div className="flex h-full flex-col">
      <div className="flex items-center justify-between gap-2 p-3">
        <span className="px-1 font-semibold">Threadline</span>
        <button
          type="button"
          onClick={onNewChat}
          aria-keyshortcuts={ariaKeysOf(SHORTCUTS.newChat)}
          className="rounded-lg border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-zinc-100"
        >
          New chat
        </button>
      </div>
      <SearchBox value={searchText} onChange={setSearchText} />
      {/* While a search is typed, its results take the list's place. */}
      {searching && <SearchResults query={searching} />}
      <nav hidden={Boolean(searching)} aria-label="Conversations" className="min-h-0 flex-1 overflow-y-auto px-2 pb-2">
        {list.isError ? (
          <p role="alert" className="px-2 text-sm text-red-600">
            Could not load conversations.{" "}
            <button type="button" className="underline" onClick={() => list.refetch()}>
              Try again
            </button>
          </p>
        ) : threads.length === 0 && !list.isPending ? (
          <p className="px-2 py-1 text-sm text-zinc-500">No conversations yet.</p>
        ) : (
          <ul className="space-y-0.5">
            {threads.map((t) => (
              <ThreadItem key={t.id} thread={t} active={openThreadId === t.id} agentName={agentName(t.agentId)} />
            ))}
          </ul>
        )}
        <LoadMore list={list} className="mt-2 hover:bg-zinc-200" />
      </nav>
      <ThemePicker className="justify-between border-t border-zinc-200 px-4 pt-3 text-sm text-zinc-600" />
      <div className="flex items-center justify-between gap-2 p-3 text-sm">
        <span className="min-w-0 flex-1 truncate text-zinc-600" title={email}>
          {email}
        </span>
        <Link href="/settings/memory" className="shrink-0 rounded-lg px-2 py-1 font-medium hover:bg-zinc-200">
          Memory
        </Link>
        <Link href="/settings/account" className="shrink-0 rounded-lg px-2 py-1 font-medium hover:bg-zinc-200">
          Account
        </Link>
        <form action={signOutAction}>
          <button type="submit" className="shrink-0 whitespace-nowrap rounded-lg px-2 py-1 font-medium hover:bg-zinc-200">
            Sign out
          </button>
        </form>
      </div>
    </div>
  );
}
