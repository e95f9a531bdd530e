"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/app/_lib/trpc";
import { Section } from "./section";

/** Every conversation the user shares, with its link and "Stop sharing". */
export function SharedLinks() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const links = useQuery(trpc.share.list.queryOptions());
  const stop = useMutation(
    trpc.share.stop.mutationOptions({
      onSettled: () =>
        Promise.all([queryClient.invalidateQueries(trpc.share.list.pathFilter()), queryClient.invalidateQueries(trpc.share.ofThread.pathFilter())]),
    }),
  );
  return (
    <Section title="Shared links">
      {links.data?.length === 0 && <p className="text-sm text-zinc-600">You are not sharing any conversation.</p>}
      {links.data && links.data.length > 0 && (
        <ul aria-label="Shared links" className="divide-y divide-zinc-200 text-sm">
          {links.data.map((link) => (
            <li key={link.id} className="flex items-center gap-3 py-2">
              <div className="min-w-0 flex-1">
                <Link href={link.path} className="block truncate font-medium text-indigo-600 underline underline-offset-2">
                  {link.title}
                </Link>
                <span className="text-xs text-zinc-500">Updated {link.updatedAt.toLocaleString()}</span>
              </div>
              <button
                type="button"
                aria-label={`Stop sharing ${link.title}`}
                disabled={stop.isPending}
                onClick={() => stop.mutate({ threadId: link.threadId })}
                className="rounded-lg px-3 py-1.5 font-medium text-red-600 hover:bg-red-50 disabled:opacity-50"
              >
                Stop sharing
              </button>
            </li>
          ))}
        </ul>
      )}
      {(stop.error ?? links.error) && (
        <p role="alert" className="text-sm text-red-600">
          {(stop.error ?? links.error)!.message}
        </p>
      )}
    </Section>
  );
}
