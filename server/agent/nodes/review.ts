import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { interrupt, type MessagesAnnotation } from "@langchain/langgraph";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import { withHandler } from "@/server/observability/callbacks";
import { metrics } from "@/server/observability/metrics";
import { ToolSpans } from "@/server/observability/tools";
import { callNeedsApproval, type ToolSource, whenChanged } from "../tools";

export interface ApprovalRequest {
  toolCallId: string;
  name: string;
  args: Record<string, unknown>;
}

/** What the graph's interrupt carries: every call of one step that waits for the user. */
export interface ApprovalInterrupt {
  kind: "approval";
  requests: ApprovalRequest[];
}

export type Decision = { type: "approve" } | { type: "edit"; args: Record<string, unknown> } | { type: "reject"; reason?: string | null };

/** What the model reads when the user said no; the reason, if any, is the user's own words. */
export const rejectionText = (reason?: string | null) => `The user rejected this action.${reason ? ` Their reason: ${reason}` : ""}`;

/** The model's tool calls that have no result yet, in the message that made them. */
export function openToolCalls(messages: BaseMessage[]): { message: AIMessage; calls: NonNullable<AIMessage["tool_calls"]> } | null {
  const answered = new Set<string>();
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (ToolMessage.isInstance(m)) answered.add(m.tool_call_id);
    else if (AIMessage.isInstance(m)) return { message: m, calls: (m.tool_calls ?? []).filter((c) => !answered.has(c.id ?? "")) };
    else return null;
  }
  return null;
}

/**
 * Pauses before side-effecting tools until the user decides on each call. LangGraph runs this node
 * again from the top on resume, so everything before `interrupt()` is a pure read of the state.
 */
export function reviewNode(tools: ToolSource) {
  return (state: typeof MessagesAnnotation.State) => {
    const open = openToolCalls(state.messages);
    const now = tools();
    const waiting = (open?.calls ?? []).filter((c) => callNeedsApproval(now, c.name));
    if (!open || waiting.length === 0) return {};
    const decisions = interrupt<ApprovalInterrupt, Record<string, Decision>>({
      kind: "approval",
      requests: waiting.map((c) => ({ toolCallId: c.id ?? "", name: c.name, args: c.args })),
    });
    const decided = (id: string | undefined): Decision => decisions?.[id ?? ""] ?? { type: "reject", reason: "No decision was made." };
    const edits = waiting.filter((c) => decided(c.id).type === "edit");
    const out: BaseMessage[] = [];
    if (edits.length) {
      // The same id replaces the model's message, so the history shows the arguments that ran.
      const m = open.message;
      const toolCalls = (m.tool_calls ?? []).map((c) => {
        const d = decided(c.id);
        return edits.includes(c) && d.type === "edit" ? { ...c, args: d.args } : c;
      });
      out.push(
        new AIMessage({ id: m.id, content: m.content, tool_calls: toolCalls, response_metadata: m.response_metadata, usage_metadata: m.usage_metadata }),
      );
    }
    for (const c of waiting) {
      const d = decided(c.id);
      if (d.type === "reject") metrics().toolCalls.inc({ tool: c.name, outcome: "rejected" });
      if (d.type === "reject") out.push(new ToolMessage({ tool_call_id: c.id ?? "", name: c.name, content: rejectionText(d.reason), status: "error" }));
    }
    return { messages: out };
  };
}

/** The id of the user's message that the open tool calls answer: where a memory saved now came from. */
function askedIn(messages: BaseMessage[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (HumanMessage.isInstance(messages[i])) return messages[i]!.id;
  return undefined;
}

/**
 * The configurable key of what the run executor does before side-effecting calls start: it records
 * their ids durably (a `tool-start` run event), so that an instance taking the run over after a
 * crash knows they may have run and does not send them again (see server/runs/execute.ts).
 */
export const BEFORE_SIDE_EFFECTS = "threadline_before_side_effects";
export type BeforeSideEffects = (toolCallIds: string[]) => Promise<void>;

/** Runs the open tool calls: those the user rejected already have their answer. */
export function toolsNode(tools: ToolSource) {
  const nodeFor = whenChanged((now: StructuredToolInterface[]) => new ToolNode(now, { handleToolErrors: true }));
  return async (state: typeof MessagesAnnotation.State, config: Parameters<ToolNode["invoke"]>[1]) => {
    const open = openToolCalls(state.messages);
    if (!open || open.calls.length === 0) return {};
    const now = tools();
    const node = nodeFor(now);
    // Calls that wait for approval are the ones with side effects: each is sent at most once.
    const effects = open.calls.filter((c) => callNeedsApproval(now, c.name)).map((c) => c.id ?? "");
    const before = config?.configurable?.[BEFORE_SIDE_EFFECTS] as BeforeSideEffects | undefined;
    if (effects.length && before) await before(effects);
    const traced = {
      ...config,
      configurable: { ...config?.configurable, source_message_id: askedIn(state.messages) },
      callbacks: withHandler(config?.callbacks, new ToolSpans()),
    };
    const result = (await node.invoke({ messages: [new AIMessage({ id: open.message.id, content: "", tool_calls: open.calls })] }, traced)) as {
      messages: ToolMessage[];
    };
    for (const message of result.messages ?? []) {
      const failed = message.status === "error" || String(message.content).startsWith("Error");
      metrics().toolCalls.inc({ tool: message.name ?? "unknown", outcome: failed ? "error" : "ok" });
    }
    return result;
  };
}
