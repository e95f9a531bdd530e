"use client";
import { memo, useState } from "react";
import { MAX_MESSAGE_LENGTH } from "@/lib/limits";
import type { TokenUsage } from "@/lib/messages";
import type { BranchInfo, MessagePart, UiMessage } from "@/lib/messages";
import type { AttachmentRef } from "@/lib/attachments";
import { AttachmentList } from "./attachment-list";
import { BranchSwitcher } from "./branch-switcher";
import { FeedbackButtons } from "./feedback-buttons";
import { Markdown } from "./markdown";
import { blocksOf, StepList } from "./steps";
import { ToolCall } from "./tool-call";
import { UsedMemories } from "./used-memories";

/** What the user can do to past messages; stable callbacks, so memoised messages stay put while streaming. */
export interface MessageActions {
  onEdit: (messageId: string, text: string) => void;
  onRegenerate: (messageId: string) => void;
  onSwitch: (messageId: string) => void;
  /** An answer is being written or an action awaits a decision: the conversation is not to be changed now. */
  locked: boolean;
}

const small = "rounded px-1.5 py-0.5 text-xs text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 disabled:opacity-40";

function Versions({ id, branch, actions }: { id: string; branch?: BranchInfo; actions?: MessageActions }) {
  if (!branch || branch.count < 2 || !actions) return null;
  return <BranchSwitcher key={id} branch={branch} disabled={actions.locked} onSwitch={actions.onSwitch} />;
}

export const UserMessage = memo(function UserMessage({
  id,
  text,
  attachments,
  branch,
  actions,
  shareId,
}: {
  id: string;
  text: string;
  attachments?: AttachmentRef[];
  /** On a shared page: its files are read through the share. */
  shareId?: string;
  branch?: BranchInfo;
  actions?: MessageActions;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  if (editing !== null && actions) {
    return (
      <form
        aria-label="Edit message"
        className="ml-auto w-full max-w-[85%] space-y-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (!editing.trim()) return;
          actions.onEdit(id, editing.trim());
          setEditing(null);
        }}
      >
        {attachments && (
          <div className="flex flex-col items-end gap-1">
            <AttachmentList attachments={attachments} className="justify-end" />
            <p className="text-xs text-zinc-500">The files stay with the edited message.</p>
          </div>
        )}
        <label htmlFor={`edit-${id}`} className="sr-only">
          Edited message
        </label>
        <textarea
          id={`edit-${id}`}
          autoFocus
          value={editing}
          onChange={(e) => setEditing(e.target.value)}
          rows={3}
          maxLength={MAX_MESSAGE_LENGTH}
          className="block w-full rounded-xl border border-zinc-300 bg-white px-3 py-2 focus:border-indigo-500 focus:outline-none"
        />
        <div className="flex justify-end gap-2 text-sm">
          <button type="button" onClick={() => setEditing(null)} className="rounded-md border border-zinc-300 px-3 py-1.5 hover:bg-zinc-100">
            Cancel
          </button>
          <button
            type="submit"
            disabled={!editing.trim() || actions.locked}
            className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-500 disabled:opacity-50"
          >
            Save
          </button>
        </div>
      </form>
    );
  }
  // The actions sit beside the message, not in it: the article holds only what was said.
  return (
    <div className="group flex flex-col items-end gap-1">
      {attachments && <AttachmentList attachments={attachments} shareId={shareId} className="max-w-[85%] justify-end" />}
      <article aria-label="You" className="max-w-[85%] rounded-2xl bg-zinc-100 px-4 py-2 whitespace-pre-wrap">
        {text}
      </article>
      <div className="flex items-center gap-1">
        <Versions id={id} branch={branch} actions={actions} />
        {actions && (
          <button type="button" className={small} disabled={actions.locked} onClick={() => setEditing(text)}>
            Edit
          </button>
        )}
      </div>
    </div>
  );
});

export const AssistantMessage = memo(function AssistantMessage({
  id,
  parts,
  stopped,
  streaming,
  branch,
  actions,
  usage,
  memories,
  threadId,
  modelLabel,
}: {
  id: string;
  /** The model that wrote it, shown on hover (the title is also the answer's accessible description). */
  modelLabel?: string;
  /** The saved conversation it belongs to: its answers can be rated. */
  threadId?: string;
  parts: MessagePart[];
  stopped: boolean;
  streaming?: boolean;
  usage?: TokenUsage | null;
  /** The ids of the memories recalled for this answer. */
  memories?: string[];
  branch?: BranchInfo;
  actions?: MessageActions;
}) {
  return (
    <div className="min-w-0">
      <article
        aria-label="Assistant"
        aria-busy={streaming || undefined}
        title={modelLabel ? `Written by ${modelLabel}` : undefined}
        data-model={modelLabel}
        className="min-w-0"
      >
        {blocksOf(parts).map((b) =>
          b.type === "steps" ? (
            <StepList key={b.at} steps={b.steps} />
          ) : b.part.type === "text" ? (
            <Markdown key={b.at} text={b.part.text} />
          ) : (
            <ToolCall key={b.part.id || b.at} part={b.part} />
          ),
        )}
        {streaming && parts.length === 0 && <p className="text-zinc-400">Thinking…</p>}
        {stopped && <p className="mt-1 text-xs text-zinc-500 italic">Stopped</p>}
      </article>
      {actions && !streaming && (
        <div className="mt-1 flex flex-wrap items-center gap-1">
          <Versions id={id} branch={branch} actions={actions} />
          <button type="button" className={small} disabled={actions.locked} onClick={() => actions.onRegenerate(id)}>
            Regenerate
          </button>
          {threadId && <FeedbackButtons threadId={threadId} messageId={id} />}
          {usage && <TokenCount usage={usage} />}
        </div>
      )}
      {actions && !streaming && memories && memories.length > 0 && <UsedMemories ids={memories} />}
    </div>
  );
});

/** Tokens at a glance; the split into input and output on hover (and for screen readers). */
export function TokenCount({ usage, label = "" }: { usage: TokenUsage; label?: string }) {
  const total = usage.input + usage.output;
  const detail = `${usage.input.toLocaleString("en")} in, ${usage.output.toLocaleString("en")} out`;
  return (
    <span className="ml-auto text-xs text-zinc-500" title={detail} aria-label={`${label}${total.toLocaleString("en")} tokens: ${detail}`}>
      {label}
      {total.toLocaleString("en")} tokens
    </span>
  );
}

/** `actions` is left out for messages that are not saved yet (the one being written). */
export function MessageView({
  message,
  streaming,
  actions,
  threadId,
  shareId,
}: {
  message: UiMessage;
  streaming?: boolean;
  actions?: MessageActions;
  threadId?: string;
  shareId?: string;
}) {
  return message.role === "user" ? (
    <UserMessage id={message.id} text={message.text} attachments={message.attachments} branch={message.branch} actions={actions} shareId={shareId} />
  ) : (
    <AssistantMessage
      id={message.id}
      parts={message.parts}
      stopped={message.stopped}
      streaming={streaming}
      branch={message.branch}
      actions={actions}
      usage={message.usage}
      memories={message.memories}
      threadId={threadId}
      modelLabel={message.modelLabel}
    />
  );
}
