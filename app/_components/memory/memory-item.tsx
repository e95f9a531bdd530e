"use client";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { type RouterOutputs, useTRPC } from "@/app/_lib/trpc";
import { messageHref } from "@/lib/links";

export type MemoryRow = RouterOutputs["memory"]["list"]["items"][number];

const when = (d: Date) => d.toLocaleDateString("en", { year: "numeric", month: "short", day: "numeric" });

/** One memory: its text and kind, where it came from, and Edit and Delete. */
export function MemoryItem({ memory, maxLength, onChanged }: { memory: MemoryRow; maxLength: number; onChanged: () => void }) {
  const trpc = useTRPC();
  const [editing, setEditing] = useState<string | null>(null);
  const update = useMutation(trpc.memory.update.mutationOptions({ onSuccess: () => setEditing(null), onSettled: onChanged }));
  const remove = useMutation(trpc.memory.delete.mutationOptions({ onSettled: onChanged }));
  const error = update.error ?? remove.error;

  return (
    <li aria-label={memory.text} className="space-y-2 px-4 py-3">
      {editing !== null ? (
        <form
          className="space-y-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (editing.trim()) update.mutate({ id: memory.id, text: editing });
          }}
        >
          <label htmlFor={`memory-${memory.id}`} className="sr-only">
            Memory text
          </label>
          <textarea
            id={`memory-${memory.id}`}
            autoFocus
            value={editing}
            onChange={(e) => setEditing(e.target.value)}
            rows={2}
            maxLength={maxLength}
            className="block w-full rounded-lg border border-zinc-300 px-3 py-2 focus:border-indigo-500 focus:outline-none"
          />
          <div className="flex gap-2 text-sm">
            <button
              type="submit"
              disabled={!editing.trim() || update.isPending}
              className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-500 disabled:opacity-50"
            >
              Save
            </button>
            <button type="button" onClick={() => setEditing(null)} className="rounded-md border border-zinc-300 px-3 py-1.5 hover:bg-zinc-100">
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <p className="break-words whitespace-pre-wrap">{memory.text}</p>
      )}
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-zinc-500">
        <span className="rounded-full bg-zinc-100 px-2 py-0.5 font-medium text-zinc-600">{memory.kind === "profile" ? "Preference" : "Fact"}</span>
        <span>
          {memory.updatedAt.getTime() > memory.createdAt.getTime() ? "Updated" : "Saved"} {when(memory.updatedAt)}
        </span>
        {memory.threadId ? (
          <Link href={messageHref(memory.threadId, memory.messageId)} className="underline hover:text-zinc-800">
            From this conversation
          </Link>
        ) : (
          <span>From a conversation since deleted</span>
        )}
        <span className="ml-auto flex gap-1">
          <button
            type="button"
            onClick={() => setEditing(memory.text)}
            disabled={editing !== null}
            className="rounded px-1.5 py-0.5 hover:bg-zinc-100 hover:text-zinc-800 disabled:opacity-40"
          >
            Edit
          </button>
          <button
            type="button"
            onClick={() => remove.mutate({ id: memory.id })}
            disabled={remove.isPending}
            className="rounded px-1.5 py-0.5 text-red-700 hover:bg-red-50 disabled:opacity-40"
          >
            Delete
          </button>
        </span>
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-600">
          {error.message}
        </p>
      )}
    </li>
  );
}
