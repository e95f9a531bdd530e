import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import type { ApprovalStatus } from "@/db/schema";
import type { TokenUsage } from "@/server/runs/events";
import type { BranchInfo } from "./branches";
import { textOf } from "@/server/runs/translate";

export type MessagePart =
  | { type: "text"; text: string }
  | {
      type: "tool";
      id: string;
      name: string;
      args: Record<string, unknown>;
      result: { content: string; isError: boolean } | null;
      /** How the user decided, for an action that needed approval. */
      approval?: { status: ApprovalStatus; reason: string | null };
    };

/** `branch`: where the message sits among its versions (edits, regenerations), when it has any. */
export type UiMessage =
  | { id: string; role: "user"; text: string; branch?: BranchInfo }
  | { id: string; role: "assistant"; parts: MessagePart[]; stopped: boolean; usage: TokenUsage | null; branch?: BranchInfo };

/**
 * The checkpoint's messages as the UI shows them: each user message, then one assistant turn that
 * gathers the model's text and its tool calls (with their results) in the order they happened.
 */
export function toUiMessages(messages: BaseMessage[]): UiMessage[] {
  const out: UiMessage[] = [];
  let turn: Extract<UiMessage, { role: "assistant" }> | null = null;
  for (const m of messages) {
    if (HumanMessage.isInstance(m)) {
      turn = null;
      out.push({ id: m.id ?? `user-${out.length}`, role: "user", text: textOf(m) });
    } else if (AIMessage.isInstance(m)) {
      if (!turn) {
        turn = { id: m.id ?? `assistant-${out.length}`, role: "assistant", parts: [], stopped: false, usage: null };
        out.push(turn);
      }
      const text = textOf(m);
      if (text) turn.parts.push({ type: "text", text });
      for (const call of m.tool_calls ?? []) turn.parts.push({ type: "tool", id: call.id ?? "", name: call.name, args: call.args, result: null });
      if (m.response_metadata?.stopped) turn.stopped = true;
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
  return out;
}
