"use client";
import { useLayoutEffect, useRef, useState } from "react";
import { ariaKeysOf, COMPOSER_ID, SHORTCUTS, useShortcut } from "@/app/_lib/shortcuts";
import { MAX_MESSAGE_LENGTH } from "@/lib/limits";
import { ACCEPT, type AttachmentRef } from "@/lib/attachments";
import { AttachmentList } from "./chat/attachment-list";
import { useAttachments } from "./use-attachments";

interface Props {
  /** Rejects when the message was not accepted; the composer then gives the text back. */
  onSend: (text: string, attachments: AttachmentRef[]) => Promise<unknown>;
  onStop: () => void;
  /** An answer is being written: Send becomes Stop. */
  answering: boolean;
  /** Sending is on its way (before the answer starts). */
  sending: boolean;
  /** The agent asked to act and waits for the user's decision before anything else. */
  waitingForDecision?: boolean;
  /** Takes the keyboard when shown, before the next key is pressed. */
  autoFocus?: boolean;
}

/**
 * Enter sends, Shift+Enter adds a line; the box grows with its text up to a limit. Files come by
 * "Attach files", paste or drop, and are uploaded as they are added.
 */
export function Composer({ onSend, onStop, answering, sending, waitingForDecision = false, autoFocus = false }: Props) {
  const [text, setText] = useState("");
  const ref = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const files = useAttachments();
  const [dragging, setDragging] = useState(false);
  const focusOnShow = useRef(autoFocus);
  useLayoutEffect(() => {
    if (focusOnShow.current) ref.current?.focus();
  }, []);
  useShortcut("focusComposer", () => ref.current?.focus());
  useShortcut("stop", onStop, answering);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 192)}px`;
  }, [text]);

  const canSend = text.trim().length > 0 && !answering && !sending && !waitingForDecision && files.uploading.length === 0;
  const send = () => {
    if (!canSend) return;
    const sent = text.trim();
    setText("");
    const attached = files.take();
    // Refused (a limit, a lost connection): the text and files come back unless something new was typed.
    onSend(sent, attached).catch(() => {
      setText((current) => current || sent);
      files.restore(attached);
    });
  };
  const images = files.files.some((f) => f.kind === "image");

  return (
    <form
      className="mx-auto w-full max-w-3xl px-3 pb-4"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes("Files") || waitingForDecision) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={(e) => {
        setDragging(false);
        if (!e.dataTransfer.files.length || waitingForDecision) return;
        e.preventDefault();
        void files.add([...e.dataTransfer.files]);
      }}
    >
      {files.errors.length > 0 && (
        <div role="alert" className="mb-2 flex items-start justify-between gap-2 rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          <ul>
            {files.errors.map((error, i) => (
              <li key={i}>{error}</li>
            ))}
          </ul>
          <button type="button" onClick={files.dismissErrors} className="shrink-0 rounded px-1 hover:bg-red-100" aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
      {waitingForDecision && (
        <p role="status" className="mb-2 text-center text-sm text-amber-800">
          The agent is waiting for your decision on the action above.
        </p>
      )}
      <div
        className={`rounded-2xl border bg-white p-2 shadow-sm focus-within:border-indigo-500 ${dragging ? "border-indigo-500 ring-2 ring-indigo-200" : "border-zinc-300"}`}
      >
        {(files.files.length > 0 || files.uploading.length > 0) && (
          <div className="flex flex-wrap items-center gap-2 px-1 pt-1 pb-2">
            <AttachmentList attachments={files.files} onRemove={files.remove} />
            {files.uploading.map((u) => (
              <span key={u.key} role="status" className="rounded-lg border border-dashed border-zinc-300 px-2 py-1.5 text-sm text-zinc-500">
                Uploading {u.name}…
              </span>
            ))}
          </div>
        )}
        {images && !files.vision && <p className="px-2 pb-1 text-xs text-zinc-500">This model can’t see images: it will be told an image is attached.</p>}
        <div className="flex items-end gap-2">
          <input
            ref={picker}
            type="file"
            multiple
            accept={ACCEPT}
            hidden
            onChange={(e) => {
              void files.add([...(e.target.files ?? [])]);
              e.target.value = "";
            }}
          />
          <button
            type="button"
            aria-label="Attach files"
            title="Attach files"
            disabled={waitingForDecision}
            onClick={() => picker.current?.click()}
            className="rounded-xl px-2 py-2 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 disabled:opacity-50"
          >
            <svg
              aria-hidden
              viewBox="0 0 24 24"
              className="h-5 w-5"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
              strokeLinecap="round"
              strokeLinejoin="round"
            >
              <path d="M21.44 11.05l-9.19 9.19a6 6 0 01-8.49-8.49l9.19-9.19a4 4 0 015.66 5.66l-9.2 9.19a2 2 0 01-2.83-2.83l8.49-8.48" />
            </svg>
          </button>
          <label htmlFor={COMPOSER_ID} className="sr-only">
            Message
          </label>
          <textarea
            id={COMPOSER_ID}
            aria-keyshortcuts={ariaKeysOf(SHORTCUTS.focusComposer)}
            ref={ref}
            rows={1}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onPaste={(e) => {
              if (e.clipboardData.files.length === 0) return;
              e.preventDefault();
              void files.add([...e.clipboardData.files]);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                send();
              }
            }}
            placeholder={waitingForDecision ? "Decide on the action above first" : files.files.length ? "Say what to do with the files" : "Message Threadline"}
            disabled={waitingForDecision}
            maxLength={MAX_MESSAGE_LENGTH}
            className="max-h-48 min-h-10 flex-1 resize-none bg-transparent px-2 py-2 outline-none"
          />
          {answering ? (
            <button
              type="button"
              onClick={onStop}
              aria-keyshortcuts={ariaKeysOf(SHORTCUTS.stop)}
              className="rounded-xl bg-zinc-900 px-4 py-2 text-sm font-medium text-white hover:bg-zinc-700"
            >
              Stop
            </button>
          ) : (
            <button
              type="submit"
              disabled={!canSend}
              className="rounded-xl bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50"
            >
              Send
            </button>
          )}
        </div>
      </div>
    </form>
  );
}
