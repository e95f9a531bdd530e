import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import type { MessagePart, UiMessage } from "@/lib/messages";
import { textOf } from "@/lib/text";
import type { RecordedStep } from "@/server/agent/graphs/steps";
import { refsOf } from "@/lib/attachments";

/**
 * The checkpoint's messages as the UI shows them: each user message, then one assistant turn that
 * gathers the model's text and its tool calls (with their results) in the order they happened,
 * with a multi-step graph's steps where they were taken.
 */
export function toUiMessages(messages: BaseMessage[], steps: RecordedStep[] = []): UiMessage[] {
  const out: UiMessage[] = [];
  let turn: Extract<UiMessage, { role: "assistant" }> | null = null;
  // Steps taken before the turn's first model message (a plan) wait for the turn to begin.
  let waiting: MessagePart[] = [];
  const stepsAt = (i: number) => steps.filter((s) => s.at === i).map((s): MessagePart => ({ type: "step", kind: s.kind, label: s.label }));
  for (const [i, m] of messages.entries()) {
    if (turn) turn.parts.push(...stepsAt(i));
    else waiting.push(...stepsAt(i));
    if (HumanMessage.isInstance(m)) {
      turn = null;
      waiting = [];
      const attachments = refsOf(m.additional_kwargs?.attachments);
      out.push({ id: m.id ?? `user-${out.length}`, role: "user", text: textOf(m), ...(attachments.length > 0 && { attachments }) });
    } else if (AIMessage.isInstance(m)) {
      if (!turn) {
        turn = { id: m.id ?? `assistant-${out.length}`, role: "assistant", parts: waiting, stopped: false, usage: null };
        waiting = [];
        out.push(turn);
      }
      const text = textOf(m);
      if (text) turn.parts.push({ type: "text", text });
      for (const call of m.tool_calls ?? []) turn.parts.push({ type: "tool", id: call.id ?? "", name: call.name, args: call.args, result: null });
      if (m.response_metadata?.stopped) turn.stopped = true;
      const recalled = m.response_metadata?.memory_ids;
      if (Array.isArray(recalled) && recalled.length) turn.memories = [...new Set([...(turn.memories ?? []), ...recalled.map(String)])];
      const model = m.response_metadata?.agent_model;
      if (typeof model === "string") turn.model = model;
      const label = m.response_metadata?.model_label;
      if (typeof label === "string") turn.modelLabel = label;
      if (m.usage_metadata) {
        const prev = turn.usage ?? { input: 0, output: 0 };
        turn.usage = { input: prev.input + m.usage_metadata.input_tokens, output: prev.output + m.usage_metadata.output_tokens };
      }
    } else if (ToolMessage.isInstance(m) && turn) {
      const part = turn.parts.find((p): p is Extract<MessagePart, { type: "tool" }> => p.type === "tool" && p.id === m.tool_call_id);
      const content = textOf(m);
      if (part) part.result = { content, isError: m.status === "error" || content.startsWith("Error") };
    }
  }
  // Steps after the last message: a check taken when the run stopped before its answer.
  turn?.parts.push(...stepsAt(messages.length));
  return out;
}

/** A message's text as search indexes it, under the id of the message the UI shows it in. */
export interface SearchableText {
  /** The LangChain message's own id. */
  id: string;
  /** Its UI message: the user message itself, or the assistant turn it is part of (see toUiMessages). */
  uiId: string;
  role: "user" | "assistant";
  text: string;
}

/**
 * The texts of `messages[from..]` that search finds: each user message, and the text of each model
 * message under its turn's id, grouped exactly as toUiMessages groups them. Tool calls and their
 * results are not what the user or the assistant said, so they are left out.
 */
export function searchableTexts(messages: BaseMessage[], from = 0): SearchableText[] {
  // The turn already open at `from` (null: none), named by its first model message after the last user message.
  let turn: { id: string | undefined } | null = null;
  for (let k = from - 1; k >= 0 && !HumanMessage.isInstance(messages[k]); k--) if (AIMessage.isInstance(messages[k])) turn = { id: messages[k]!.id };
  const out: SearchableText[] = [];
  for (const m of messages.slice(from)) {
    if (HumanMessage.isInstance(m)) {
      turn = null;
      const text = textOf(m);
      if (m.id && text.trim()) out.push({ id: m.id, uiId: m.id, role: "user", text });
    } else if (AIMessage.isInstance(m)) {
      turn ??= { id: m.id };
      const text = textOf(m);
      if (m.id && turn.id && text.trim()) out.push({ id: m.id, uiId: turn.id, role: "assistant", text });
    }
  }
  return out;
}
