"use client";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useDeferredValue, useState } from "react";
import { useTRPC } from "@/app/_lib/trpc";
import { memoryListInput, nextMemoryCursor } from "@/app/_lib/memory-query";
import { MAX_MEMORY_LENGTH } from "@/lib/memory";
import { ConfirmDialog } from "../confirm-dialog";
import { LoadMore } from "../load-more";
import { MemoryItem } from "./memory-item";

/**
 * Everything Threadline remembers about the user: search it, edit or delete each memory, delete all
 * of them, and turn memory off. Each memory links to the message it came from.
 */
export function MemoryPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState("");
  const query = useDeferredValue(search.trim());
  const [confirming, setConfirming] = useState(false);

  const settings = useQuery(trpc.memory.settings.queryOptions());
  const list = useInfiniteQuery(trpc.memory.list.infiniteQueryOptions(memoryListInput(query), { getNextPageParam: nextMemoryCursor }));
  const refresh = () => queryClient.invalidateQueries(trpc.memory.pathFilter());
  const setUse = useMutation(trpc.memory.setUseMemory.mutationOptions({ onSettled: refresh }));
  const deleteAll = useMutation(trpc.memory.deleteAll.mutationOptions({ onSettled: refresh }));

  const memories = list.data?.pages.flatMap((p) => p.items) ?? [];
  const useMemory = setUse.isPending ? setUse.variables.useMemory : (settings.data?.useMemory ?? true);

  return (
    <main className="min-h-0 flex-1 overflow-y-auto">
      <div className="mx-auto w-full max-w-3xl space-y-6 px-4 py-6">
        <div>
          <h1 className="text-xl font-semibold">Memory</h1>
          <p className="mt-1 text-sm text-zinc-600">
            What Threadline remembers about you across conversations. The assistant saves a memory only when you approve it, and uses the relevant ones in every
            answer (“Used N memories” under it says which). Temporary chats neither read nor write memory.
          </p>
        </div>

        <div className="flex items-center justify-between gap-4 rounded-xl border border-zinc-200 px-4 py-3">
          <div>
            <p id="use-memory-label" className="font-medium">
              Use memory
            </p>
            <p className="text-sm text-zinc-600">Off: the assistant neither recalls nor remembers anything, in any conversation.</p>
          </div>
          <button
            type="button"
            role="switch"
            aria-checked={useMemory}
            aria-labelledby="use-memory-label"
            disabled={settings.isPending}
            onClick={() => setUse.mutate({ useMemory: !useMemory })}
            className={`relative h-6 w-11 shrink-0 rounded-full transition-colors disabled:opacity-50 ${useMemory ? "bg-indigo-600" : "bg-zinc-300"}`}
          >
            <span className={`absolute top-0.5 left-0.5 h-5 w-5 rounded-full bg-white shadow transition-transform ${useMemory ? "translate-x-5" : ""}`} />
          </button>
        </div>
        {setUse.error && (
          <p role="alert" className="text-sm text-red-600">
            {setUse.error.message}
          </p>
        )}

        <div className="flex flex-wrap items-center gap-3">
          <label htmlFor="memory-search" className="sr-only">
            Search memories
          </label>
          <input
            id="memory-search"
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            maxLength={200}
            placeholder="Search memories"
            className="min-w-0 flex-1 rounded-lg border border-zinc-300 px-3 py-1.5 focus:border-indigo-500 focus:outline-none"
          />
          <button
            type="button"
            onClick={() => setConfirming(true)}
            disabled={memories.length === 0 && !query}
            className="rounded-lg border border-red-200 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-50"
          >
            Delete all memories
          </button>
        </div>
        {deleteAll.error && (
          <p role="alert" className="text-sm text-red-600">
            {deleteAll.error.message}
          </p>
        )}

        {list.isError ? (
          <p role="alert" className="text-sm text-red-600">
            Could not load your memories.{" "}
            <button type="button" className="underline" onClick={() => list.refetch()}>
              Try again
            </button>
          </p>
        ) : memories.length === 0 && !list.isPending ? (
          <p className="text-sm text-zinc-500">{query ? "No memory matches your search." : "Nothing remembered yet."}</p>
        ) : (
          <ul aria-label="Memories" className="divide-y divide-zinc-200 rounded-xl border border-zinc-200">
            {memories.map((m) => (
              <MemoryItem key={m.id} memory={m} maxLength={MAX_MEMORY_LENGTH} onChanged={refresh} />
            ))}
          </ul>
        )}
        <LoadMore list={list} className="hover:bg-zinc-100" />
      </div>
      <ConfirmDialog
        open={confirming}
        title="Delete all memories?"
        confirmLabel="Delete all"
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          deleteAll.mutate();
        }}
      >
        Threadline will forget everything it remembers about you. Your conversations stay. This cannot be undone.
      </ConfirmDialog>
    </main>
  );
}
