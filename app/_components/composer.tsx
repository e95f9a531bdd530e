"use client";
import { useLayoutEffect, useRef, useState } from "react";
import { ariaKeysOf, COMPOSER_ID, SHORTCUTS, useShortcut } from "@/app/_lib/shortcuts";
import { MAX_MESSAGE_LENGTH } from "@/lib/limits";

interface Props {
  /** Rejects when the message was not accepted; the composer then gives the text back. */
  onSend: (text: string) => Promise<unknown>;
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

/** Enter sends, Shift+Enter adds a line; the box grows with its text up to a limit. */
export function Composer({ onSend, onStop, answering, sending, waitingForDecision = false, autoFocus = false }: Props) {
  const [text, setText] = useState("");
  const ref = useRef<HTMLTextAreaElement>(null);
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

  const canSend = text.trim().length > 0 && !answering && !sending && !waitingForDecision;
  const send = () => {
    if (!canSend) return;
    const sent = text.trim();
    setText("");
    // Refused (a limit, a lost connection): the text comes back unless something new was typed.
    onSend(sent).catch(() => setText((current) => current || sent));
  };

  return (
    <form
      className="mx-auto w-full max-w-3xl px-3 pb-4"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {waitingForDecision && (
        <p role="status" className="mb-2 text-center text-sm text-amber-800">
          The agent is waiting for your decision on the action above.
        </p>
      )}
      <div className="flex items-end gap-2 rounded-2xl border border-zinc-300 bg-white p-2 shadow-sm focus-within:border-indigo-500">
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
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              send();
            }
          }}
          placeholder={waitingForDecision ? "Decide on the action above first" : "Message Threadline"}
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
    </form>
  );
}
