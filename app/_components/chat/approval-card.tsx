"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { type RouterInputs, type RouterOutputs, useTRPC } from "@/app/_lib/trpc";

type PendingApproval = RouterOutputs["thread"]["messages"]["approvals"][number];
type Decision = RouterInputs["chat"]["decide"]["decision"];

/** What each action would do, in words; the raw arguments stay one click away. */
const DESCRIBE: Record<string, (args: Record<string, unknown>) => string> = {
  remember: (args) => (args.id ? `Update a memory to: “${String(args.text ?? "")}”` : `Remember: “${String(args.text ?? "")}”`),
  forget: (args) => (typeof args.memory === "string" ? `Forget: “${args.memory}”` : "Forget a memory"),
  save_note: (args) => `Remember: “${String(args.text ?? "")}”`,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An action the agent wants to take, waiting for the user: Approve, Edit (change the arguments,
 * then approve) or Reject (with a reason the model reads). A decision made in another tab shows here
 * once the thread refreshes; a second decision gets the server's "Already decided".
 */
export function ApprovalCard({
  threadId,
  approval,
  onDecided,
}: {
  threadId: string;
  approval: PendingApproval;
  /** The run the decision resumed, if it was the last one the agent waited for. */
  onDecided: (runId: RouterOutputs["chat"]["decide"]["runId"]) => void;
}) {
  const trpc = useTRPC();
  const [mode, setMode] = useState<"ask" | "edit" | "reject">("ask");
  const [args, setArgs] = useState<Record<string, unknown>>(approval.args);
  const [reason, setReason] = useState("");
  const decide = useMutation(trpc.chat.decide.mutationOptions({ onSuccess: (r) => onDecided(r.runId) }));
  // What a forget would delete, in words: its arguments hold only the memory's id.
  const forgetting = useQuery({
    ...trpc.memory.byIds.queryOptions({ ids: [String(approval.args.id)] }),
    enabled: approval.name === "forget" && UUID.test(String(approval.args.id)),
  });
  const shown = forgetting.data?.[0] ? { ...approval.args, memory: forgetting.data[0].text } : approval.args;
  const describe = DESCRIBE[approval.name]?.(shown) ?? `Run ${approval.name}`;
  const busy = decide.isPending || decide.isSuccess;
  const send = (decision: Decision) => decide.mutate({ threadId, toolCallId: approval.toolCallId, decision });

  if (approval.status !== "pending") {
    return (
      <div className="rounded-xl border border-zinc-200 bg-zinc-50 px-4 py-3 text-sm text-zinc-600" aria-label={`Action ${approval.name}`}>
        {describe} — <span className="font-medium">{approval.status}</span>. Waiting for the other decisions.
      </div>
    );
  }
  return (
    <section aria-label={`Approve ${approval.name}`} className="rounded-xl border border-amber-300 bg-amber-50 px-4 py-3 text-sm">
      <p className="font-medium text-amber-900">The agent wants to act</p>
      <p className="mt-1 break-words text-zinc-800">{describe}</p>
      {mode === "edit" && (
        <form
          className="mt-3 space-y-2"
          onSubmit={(e) => {
            e.preventDefault();
            send({ type: "edit", args });
          }}
        >
          {Object.entries(args).map(([key, value]) => (
            <label key={key} className="block">
              <span className="text-xs font-medium text-zinc-600">{key}</span>
              <textarea
                value={typeof value === "string" ? value : JSON.stringify(value)}
                onChange={(e) => setArgs((a) => ({ ...a, [key]: e.target.value }))}
                rows={2}
                className="mt-1 block w-full rounded-md border border-zinc-300 bg-white px-2 py-1"
              />
            </label>
          ))}
          <FormButtons submit="Save and approve" tone="bg-indigo-600 hover:bg-indigo-500" busy={busy} onCancel={() => setMode("ask")} />
        </form>
      )}
      {mode === "reject" && (
        <form
          className="mt-3 space-y-2"
          onSubmit={(e) => {
            e.preventDefault();
            send({ type: "reject", reason: reason.trim() || null });
          }}
        >
          <label className="block">
            <span className="text-xs font-medium text-zinc-600">Reason (optional, the agent reads it)</span>
            <input
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              maxLength={1000}
              className="mt-1 block w-full rounded-md border border-zinc-300 bg-white px-2 py-1"
            />
          </label>
          <FormButtons submit="Confirm rejection" tone="bg-red-600 hover:bg-red-500" busy={busy} onCancel={() => setMode("ask")} />
        </form>
      )}
      {mode === "ask" && (
        <div className="mt-3 flex flex-wrap gap-2">
          <button
            type="button"
            disabled={busy}
            onClick={() => send({ type: "approve" })}
            className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-500 disabled:opacity-50"
          >
            Approve
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() => setMode("edit")}
            className="rounded-md border border-zinc-300 bg-white px-3 py-1.5 hover:bg-zinc-100 disabled:opacity-50"
          >
            Edit
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() => setMode("reject")}
            className="rounded-md border border-zinc-300 bg-white px-3 py-1.5 hover:bg-zinc-100 disabled:opacity-50"
          >
            Reject
          </button>
        </div>
      )}
      {decide.error && (
        <p role="alert" className="mt-2 text-red-700">
          {decide.error.message}
        </p>
      )}
    </section>
  );
}

function FormButtons({ submit, tone, busy, onCancel }: { submit: string; tone: string; busy: boolean; onCancel: () => void }) {
  return (
    <div className="flex gap-2">
      <button type="submit" disabled={busy} className={`rounded-md px-3 py-1.5 font-medium text-white disabled:opacity-50 ${tone}`}>
        {submit}
      </button>
      <button type="button" onClick={onCancel} className="rounded-md border border-zinc-300 bg-white px-3 py-1.5 hover:bg-zinc-100">
        Cancel
      </button>
    </div>
  );
}
