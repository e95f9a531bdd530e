import { memo } from "react";
import type { MessagePart, UiMessage } from "@/server/threads/messages";
import { Markdown } from "./markdown";
import { ToolCall } from "./tool-call";

export const UserMessage = memo(function UserMessage({ text }: { text: string }) {
  return (
    <article aria-label="You" className="flex justify-end">
      <div className="max-w-[85%] rounded-2xl bg-zinc-100 px-4 py-2 whitespace-pre-wrap">{text}</div>
    </article>
  );
});

export const AssistantMessage = memo(function AssistantMessage({
  parts,
  stopped,
  streaming,
}: {
  parts: MessagePart[];
  stopped: boolean;
  streaming?: boolean;
}) {
  return (
    <article aria-label="Assistant" aria-busy={streaming || undefined} className="min-w-0">
      {parts.map((part, i) => (part.type === "text" ? <Markdown key={i} text={part.text} /> : <ToolCall key={part.id || i} part={part} />))}
      {streaming && parts.length === 0 && <p className="text-zinc-400">Thinking…</p>}
      {stopped && <p className="mt-1 text-xs text-zinc-500 italic">Stopped</p>}
    </article>
  );
});

export function MessageView({ message, streaming }: { message: UiMessage; streaming?: boolean }) {
  return message.role === "user" ? (
    <UserMessage text={message.text} />
  ) : (
    <AssistantMessage parts={message.parts} stopped={message.stopped} streaming={streaming} />
  );
}
