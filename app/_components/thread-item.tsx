"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { patchThreadLists } from "@/app/_lib/thread-cache";
import { useTRPC, type RouterOutputs } from "@/app/_lib/trpc";
import { ConfirmDialog } from "./confirm-dialog";
import { ShareDialog } from "./share-dialog";
import { exportPath } from "@/lib/transfer";

type Thread = RouterOutputs["thread"]["list"]["items"][number];

/** `agentName`: the conversation's agent when it is not the default one, marked beside the title. */
export function ThreadItem({ thread, active, agentName }: { thread: Thread; active: boolean; agentName?: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [menuOpen, setMenuOpen] = useState(false);
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [sharing, setSharing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const optionsRef = useRef<HTMLButtonElement>(null);
  const listKey = trpc.thread.list.infiniteQueryKey();

  const rename = useMutation(
    trpc.thread.rename.mutationOptions({
      onMutate: ({ title }) => {
        setError(null);
        patchThreadLists(queryClient, listKey, (t) => (t.id === thread.id ? { ...t, title: title.trim() } : t));
      },
      onError: (err) => setError(err.message),
      onSettled: () =>
        Promise.all([
          queryClient.invalidateQueries(trpc.thread.list.pathFilter()),
          queryClient.invalidateQueries(trpc.thread.get.queryFilter({ threadId: thread.id })),
          queryClient.invalidateQueries(trpc.search.pathFilter()),
        ]),
    }),
  );
  const remove = useMutation(
    trpc.thread.delete.mutationOptions({
      onMutate: () => {
        setError(null);
        patchThreadLists(queryClient, listKey, (t) => (t.id === thread.id ? null : t));
        if (active) router.push("/");
      },
      onError: (err) => setError(err.message),
      onSettled: () => Promise.all([queryClient.invalidateQueries(trpc.thread.list.pathFilter()), queryClient.invalidateQueries(trpc.search.pathFilter())]),
    }),
  );

  return (
    <li className="relative">
      {editing ? (
        <RenameField
          initial={thread.title}
          onDone={(title) => {
            setEditing(false);
            if (title !== null && title.trim() && title.trim() !== thread.title) rename.mutate({ threadId: thread.id, title });
            optionsRef.current?.focus();
          }}
        />
      ) : (
        <div className={`group flex items-center rounded-lg ${active ? "bg-zinc-200" : "hover:bg-zinc-100"}`}>
          <Link
            href={`/c/${thread.id}`}
            aria-current={active ? "page" : undefined}
            className="min-w-0 flex-1 truncate px-2 py-1.5 text-sm"
            title={thread.title}
          >
            {thread.title}
            {agentName && <span className="ml-1.5 rounded bg-indigo-100 px-1 py-px text-[10px] font-medium text-indigo-800">{agentName}</span>}
          </Link>
          <button
            ref={optionsRef}
            type="button"
            aria-label={`Options for ${thread.title}`}
            aria-haspopup="menu"
            aria-expanded={menuOpen}
            onClick={() => setMenuOpen((o) => !o)}
            className="rounded-md px-2 py-1 text-zinc-500 hover:bg-zinc-200 hover:text-zinc-900"
          >
            <svg aria-hidden width="16" height="16" viewBox="0 0 16 16" fill="currentColor">
              <circle cx="3" cy="8" r="1.5" />
              <circle cx="8" cy="8" r="1.5" />
              <circle cx="13" cy="8" r="1.5" />
            </svg>
          </button>
        </div>
      )}
      {menuOpen && (
        <OptionsMenu
          threadId={thread.id}
          onShare={() => {
            setMenuOpen(false);
            setSharing(true);
          }}
          onClose={() => {
            setMenuOpen(false);
            optionsRef.current?.focus();
          }}
          onRename={() => {
            setMenuOpen(false);
            setEditing(true);
          }}
          onDelete={() => {
            setMenuOpen(false);
            setConfirming(true);
          }}
        />
      )}
      {error && (
        <p role="alert" className="px-2 text-xs text-red-600">
          {error}
        </p>
      )}
      <ShareDialog
        threadId={thread.id}
        open={sharing}
        onClose={() => {
          setSharing(false);
          optionsRef.current?.focus();
        }}
      />
      <ConfirmDialog
        open={confirming}
        title="Delete conversation?"
        confirmLabel="Delete"
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          remove.mutate({ threadId: thread.id });
        }}
      >
        This permanently deletes “{thread.title}” and all of its messages.
      </ConfirmDialog>
    </li>
  );
}

/** Enter saves, Escape cancels, and clicking away saves, as in the chat apps people know. */
function RenameField({ initial, onDone }: { initial: string; onDone: (title: string | null) => void }) {
  const [value, setValue] = useState(initial);
  const finished = useRef(false);
  const finish = (title: string | null) => {
    if (finished.current) return;
    finished.current = true;
    onDone(title);
  };
  return (
    <input
      aria-label="Conversation title"
      autoFocus
      value={value}
      maxLength={200}
      onChange={(e) => setValue(e.target.value)}
      onFocus={(e) => e.currentTarget.select()}
      onKeyDown={(e) => {
        if (e.key === "Enter") finish(value);
        if (e.key === "Escape") {
          e.stopPropagation();
          finish(null);
        }
      }}
      onBlur={() => finish(value)}
      className="w-full rounded-lg border border-indigo-500 bg-white px-2 py-1.5 text-sm"
    />
  );
}

interface OptionsMenuProps {
  threadId: string;
  onClose: () => void;
  onRename: () => void;
  onShare: () => void;
  onDelete: () => void;
}

function OptionsMenu({ threadId, onClose, onRename, onShare, onDelete }: OptionsMenuProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>("[role=menuitem]")?.focus();
    const onPointer = (e: PointerEvent) => {
      if (!ref.current?.parentElement?.contains(e.target as Node)) onClose();
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [onClose]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    const items = [...(ref.current?.querySelectorAll<HTMLElement>("[role=menuitem]") ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === "Escape") {
      e.stopPropagation();
      onClose();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      items[(at + step + items.length) % items.length]?.focus();
    } else if (e.key === "Tab") {
      onClose();
    }
  };

  const item = "block w-full px-3 py-1.5 text-left text-sm hover:bg-zinc-100 focus:bg-zinc-100";
  return (
    <div ref={ref} role="menu" onKeyDown={onKeyDown} className="absolute right-1 z-20 mt-1 w-48 rounded-lg border border-zinc-200 bg-white py-1 shadow-lg">
      <button type="button" role="menuitem" className={item} onClick={onRename}>
        Rename
      </button>
      <button type="button" role="menuitem" className={item} onClick={onShare}>
        Share
      </button>
      {/* Downloads: the route answers with an attachment, so the page stays where it is. */}
      <a role="menuitem" className={item} href={exportPath(threadId, "markdown")} download onClick={onClose}>
        Export as Markdown
      </a>
      <a role="menuitem" className={item} href={exportPath(threadId, "json")} download onClick={onClose}>
        Export as JSON
      </a>
      <button type="button" role="menuitem" className={`${item} text-red-600`} onClick={onDelete}>
        Delete
      </button>
    </div>
  );
}
