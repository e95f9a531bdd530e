"use client";
import { useState } from "react";

/**
 * The message box. Sending is wired to the agent in the chat issue; until then the button stays
 * disabled and says why, rather than pretending to send.
 */
export function Composer() {
  const [text, setText] = useState("");
  return (
    <form className="mx-auto w-full max-w-3xl px-3 pb-4" onSubmit={(e) => e.preventDefault()}>
      <div className="flex items-end gap-2 rounded-2xl border border-zinc-300 bg-white p-2 shadow-sm focus-within:border-indigo-500">
        <label htmlFor="composer" className="sr-only">
          Message
        </label>
        <textarea
          id="composer"
          rows={1}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="Message Threadline"
          maxLength={32_000}
          className="max-h-48 min-h-10 flex-1 resize-none bg-transparent px-2 py-2 outline-none"
        />
        <button
          type="submit"
          disabled
          title="Chatting with the agent is not switched on yet"
          className="rounded-xl bg-indigo-600 px-4 py-2 text-sm font-medium text-white disabled:opacity-50"
        >
          Send
        </button>
      </div>
    </form>
  );
}
