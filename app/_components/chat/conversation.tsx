"use client";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { mergeTurn } from "@/app/_lib/merge-turn";
import { useShortcut } from "@/app/_lib/shortcuts";
import { useTRPC } from "@/app/_lib/trpc";
import type { UiMessage } from "@/lib/messages";
import { Composer } from "../composer";
import { AgentPicker } from "./agent-picker";
import { ApprovalCard } from "./approval-card";
import { MessageView, TokenCount } from "./message-list";
import { ModelBadge } from "./model-badge";
import { useConversationActions } from "./use-conversation-actions";
import { useLiveRun } from "./use-live-run";

/** The element of a message on the page, to scroll to. */
const anchorOf = (messageId: string) => `message-${messageId}`;

/**
 * A conversation: its history from the checkpoint, plus the answer being written now, followed live
 * through `chat.events`. Without a thread id it is the home page, whose first message creates one.
 * `focus`: a message to show (a search result), scrolled to and highlighted. `autoFocus`: the composer
 * takes the keyboard (after New chat).
 */
export function Conversation({ threadId, focus, autoFocus = false }: { threadId?: string; focus?: string; autoFocus?: boolean }) {
  const trpc = useTRPC();
  const thread = useQuery({ ...trpc.thread.get.queryOptions({ threadId: threadId ?? "" }), enabled: Boolean(threadId) });
  const history = useQuery({ ...trpc.thread.messages.queryOptions({ threadId: threadId ?? "" }), enabled: Boolean(threadId) });
  const messages = useMemo(() => history.data?.messages ?? [], [history.data]);
  const approvals = history.data?.approvals ?? [];

  const run = useLiveRun(history.data?.activeRunId);
  const [temporary, setTemporary] = useState(false);
  const [agentId, setAgentId] = useState<string | null>(null);
  const act = useConversationActions({ threadId, messages, awaitingDecision: approvals.length > 0, run, temporary, agentId });
  const waiting = approvals.length > 0 && !act.answering;

  const { earlier, turn } = mergeTurn(messages, run.live, run.pending);
  const shown = [...earlier, ...turn];
  const shownProblem = act.answering
    ? null
    : (run.problem ?? (history.data?.interrupted ? { message: "This answer was interrupted before it finished.", action: "Continue" as const } : null));
  const empty = shown.length === 0;
  const copied = useCopyLastAnswer(shown);

  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  });

  // A message to show: scrolled to once it is on the page; on another branch, that branch is shown first.
  const found = focus && messages.some((m) => m.id === focus) ? focus : null;
  const scrolledTo = useRef<string | null>(null);
  const switchedFor = useRef<string | null>(null);
  const { onSwitch } = act.messageActions;
  const loaded = Boolean(history.data);
  useEffect(() => {
    if (!focus || !loaded) return;
    if (found) {
      if (scrolledTo.current === found) return;
      scrolledTo.current = found;
      atBottom.current = false;
      document.getElementById(anchorOf(found))?.scrollIntoView({ block: "center" });
    } else if (switchedFor.current !== focus && !act.answering) {
      switchedFor.current = focus;
      onSwitch(focus);
    }
  }, [focus, found, loaded, act.answering, onSwitch]);

  return (
    <main className="flex min-h-0 flex-1 flex-col">
      <div className="flex items-center gap-3 border-b border-zinc-200 px-4 py-3">
        <h1 className="min-w-0 flex-1 truncate text-base font-semibold">{threadId ? (thread.data?.title ?? "Conversation") : "New chat"}</h1>
        {thread.data?.temporary && (
          <span
            title="This conversation neither reads nor writes memory"
            className="shrink-0 rounded-full bg-zinc-800 px-2 py-0.5 text-xs font-medium text-white"
          >
            Temporary chat
          </span>
        )}
        {history.data && history.data.usage.input + history.data.usage.output > 0 && <TokenCount usage={history.data.usage} label="This conversation: " />}
        <ModelBadge threadId={threadId} />
      </div>
      <div
        ref={scroller}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
        }}
        className="min-h-0 flex-1 overflow-y-auto"
      >
        <section aria-label="Messages" className="mx-auto flex w-full max-w-3xl flex-col gap-6 px-4 py-6">
          {empty &&
            (threadId ? (
              <p className="py-16 text-center text-sm text-zinc-500">No messages yet.</p>
            ) : (
              <div className="py-16 text-center">
                <h2 className="text-2xl font-semibold">What can I help with?</h2>
                <p className="mt-2 text-sm text-zinc-500">Ask anything. Try “what is 12*7?”</p>
                <AgentPicker value={agentId} onChange={setAgentId} />
                <TemporarySwitch on={temporary} onChange={setTemporary} />
              </div>
            ))}
          {shown.map((m, i) => (
            <div
              key={m.id}
              id={anchorOf(m.id)}
              data-search-hit={m.id === found || undefined}
              className={`min-w-0 ${m.id === found ? "-m-2 rounded-2xl p-2 ring-2 ring-amber-300" : ""}`}
            >
              <MessageView
                message={m}
                streaming={Boolean(run.live && !run.live.ended && i === shown.length - 1)}
                actions={i < earlier.length && threadId ? act.messageActions : undefined}
                threadId={threadId}
              />
            </div>
          ))}
          {threadId && !act.answering && approvals.length > 0 && (
            <div className="flex flex-col gap-3">
              {approvals.map((a) => (
                <ApprovalCard key={a.toolCallId} threadId={threadId} approval={a} onDecided={act.decided} />
              ))}
            </div>
          )}
          {shownProblem && (
            <div role="alert" className="flex items-center justify-between gap-3 rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
              <span>{shownProblem.message}</span>
              {threadId && shownProblem.action && (
                <button type="button" onClick={act.retry} className="shrink-0 rounded-md border border-red-300 bg-white px-2 py-1 font-medium hover:bg-red-100">
                  {shownProblem.action}
                </button>
              )}
            </div>
          )}
        </section>
      </div>
      <p role="status" className="pointer-events-none fixed bottom-24 left-1/2 z-50 -translate-x-1/2">
        {copied && <span className="rounded-lg bg-zinc-900 px-3 py-1.5 text-sm text-white shadow">Copied the last answer</span>}
      </p>
      <Composer
        autoFocus={autoFocus}
        answering={Boolean(run.runId)}
        sending={act.answering}
        waitingForDecision={waiting}
        onSend={(text, attachments) => {
          atBottom.current = true;
          return act.send(text, attachments);
        }}
        onStop={act.stop}
      />
    </main>
  );
}

/** The copy-last-answer shortcut: the last answer's Markdown to the clipboard; true while "Copied" shows. */
function useCopyLastAnswer(shown: UiMessage[]): boolean {
  const [copied, setCopied] = useState(false);
  useShortcut("copyLastAnswer", () => {
    const answer = shown.findLast((m) => m.role === "assistant");
    if (!answer) return;
    const text = answer.parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("\n\n");
    navigator.clipboard.writeText(text).then(
      () => setCopied(true),
      () => undefined,
    );
  });
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  return copied;
}

/** Chosen before the first message: a temporary chat neither reads nor writes memory, and is still saved. */
function TemporarySwitch({ on, onChange }: { on: boolean; onChange: (on: boolean) => void }) {
  return (
    <div className="mt-6 inline-flex flex-col items-center gap-1">
      <label className="inline-flex cursor-pointer items-center gap-2 text-sm font-medium">
        <button
          type="button"
          role="switch"
          aria-checked={on}
          aria-label="Temporary chat"
          onClick={() => onChange(!on)}
          className={`relative h-5 w-9 rounded-full transition-colors ${on ? "bg-zinc-800" : "bg-zinc-300"}`}
        >
          <span className={`absolute top-0.5 left-0.5 h-4 w-4 rounded-full bg-white shadow transition-transform ${on ? "translate-x-4" : ""}`} />
        </button>
        Temporary chat
      </label>
      {on && <p className="text-xs text-zinc-500">This chat won’t use your memories or add to them.</p>}
    </div>
  );
}
