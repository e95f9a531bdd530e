"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useModalDialog } from "@/app/_lib/modal-dialog";
import { useTRPC } from "@/app/_lib/trpc";

/**
 * "Share conversation": makes a read-only link to the branch shown now, copies it, refreshes what
 * it shows ("Update link"), or stops it. A native modal <dialog>: focus is trapped and restored.
 */
export function ShareDialog({ threadId, open, onClose }: { threadId: string; open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ref = useModalDialog(open);
  const titleId = useId();
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const share = useQuery({ ...trpc.share.ofThread.queryOptions({ threadId }), enabled: open });
  const settle = (message: string | null) => ({
    onMutate: () => {
      setError(null);
      setStatus(null);
    },
    onSuccess: () => setStatus(message),
    onError: (err: { message: string }) => setError(err.message),
    onSettled: () =>
      Promise.all([queryClient.invalidateQueries(trpc.share.ofThread.queryFilter({ threadId })), queryClient.invalidateQueries(trpc.share.list.pathFilter())]),
  });
  const create = useMutation(trpc.share.create.mutationOptions(settle("Link created")));
  const update = useMutation(trpc.share.update.mutationOptions(settle("The link now shows the conversation as it is")));
  const stop = useMutation(trpc.share.stop.mutationOptions(settle("Sharing stopped: the link no longer works")));
  const url = share.data ? new URL(share.data.path, window.location.origin).href : null;
  const busy = create.isPending || update.isPending || stop.isPending;
  const button = "rounded-lg px-3 py-1.5 text-sm font-medium disabled:opacity-50";

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-2xl bg-white p-6 text-zinc-900 shadow-xl backdrop:bg-black/40"
    >
      <h2 id={titleId} className="text-lg font-semibold">
        Share conversation
      </h2>
      <p className="mt-2 text-sm text-zinc-600">
        Anyone with the link can read the branch shown now, as it is when you create or update the link. Your name and email are not shown.
      </p>
      {open && share.isSuccess && (
        <div className="mt-4 space-y-3">
          {url ? (
            <>
              <label className="block text-sm">
                <span className="font-medium">Link</span>
                <input
                  readOnly
                  value={url}
                  onFocus={(e) => e.currentTarget.select()}
                  className="mt-1 block w-full rounded-lg border border-zinc-300 bg-zinc-50 px-2 py-1.5 text-sm"
                />
              </label>
              <div className="flex flex-wrap gap-2">
                <button
                  type="button"
                  className={`${button} bg-indigo-600 text-white hover:bg-indigo-500`}
                  onClick={async () => {
                    await navigator.clipboard.writeText(url);
                    setStatus("Link copied");
                  }}
                >
                  Copy link
                </button>
                <button
                  type="button"
                  disabled={busy}
                  className={`${button} border border-zinc-300 hover:bg-zinc-100`}
                  onClick={() => update.mutate({ threadId })}
                >
                  Update link
                </button>
                <button type="button" disabled={busy} className={`${button} text-red-600 hover:bg-red-50`} onClick={() => stop.mutate({ threadId })}>
                  Stop sharing
                </button>
              </div>
            </>
          ) : (
            <button
              type="button"
              disabled={busy}
              className={`${button} bg-indigo-600 text-white hover:bg-indigo-500`}
              onClick={() => create.mutate({ threadId })}
            >
              Create link
            </button>
          )}
        </div>
      )}
      <p role="status" className="mt-3 min-h-5 text-sm text-zinc-600">
        {status}
      </p>
      {(error || share.error) && (
        <p role="alert" className="text-sm text-red-600">
          {error ?? share.error?.message}
        </p>
      )}
      <div className="mt-4 flex justify-end">
        <button type="button" onClick={onClose} className={`${button} hover:bg-zinc-100`}>
          Close
        </button>
      </div>
    </dialog>
  );
}
