"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_lib/trpc";
import { Composer } from "./composer";

export function ThreadView({ id }: { id: string }) {
  const trpc = useTRPC();
  const thread = useQuery(trpc.thread.get.queryOptions({ id }));
  return (
    <main className="flex min-h-0 flex-1 flex-col">
      <div className="border-b border-zinc-200 px-4 py-3">
        <h1 className="truncate text-base font-semibold">{thread.data?.title ?? "Conversation"}</h1>
      </div>
      <section aria-label="Messages" className="flex flex-1 flex-col items-center justify-center overflow-y-auto px-4 text-center">
        {thread.isError ? (
          <p role="alert" className="text-sm text-red-600">
            {thread.error.message}
          </p>
        ) : (
          <p className="text-sm text-zinc-500">No messages yet.</p>
        )}
      </section>
      <Composer />
    </main>
  );
}
