"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/app/_lib/trpc";

/**
 * "Used N memories" under an answer: what recall gave the model for it. Opening it lists them as
 * they are now; one deleted since says so (the answer keeps only ids, never the text).
 */
export function UsedMemories({ ids }: { ids: string[] }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const found = useQuery({ ...trpc.memory.byIds.queryOptions({ ids }), enabled: open });
  const byId = new Map((found.data ?? []).map((m) => [m.id, m]));
  return (
    <details className="text-xs text-zinc-500" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="cursor-pointer rounded px-1.5 py-0.5 hover:bg-zinc-100 hover:text-zinc-800">
        Used {ids.length} {ids.length === 1 ? "memory" : "memories"}
      </summary>
      <div className="mt-1 rounded-lg border border-zinc-200 bg-zinc-50 px-3 py-2">
        {found.isPending ? (
          <p>Loading…</p>
        ) : found.isError ? (
          <p role="alert">Could not load the memories.</p>
        ) : (
          <ul aria-label="Memories used" className="list-disc space-y-1 pl-4 text-zinc-700">
            {ids.map((id) => (
              <li key={id}>{byId.get(id)?.text ?? <span className="text-zinc-400 italic">A memory since deleted</span>}</li>
            ))}
          </ul>
        )}
        <Link href="/settings/memory" className="mt-2 inline-block underline hover:text-zinc-800">
          Manage memory
        </Link>
      </div>
    </details>
  );
}
