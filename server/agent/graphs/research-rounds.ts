import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { textOf } from "@/lib/text";

/**
 * What the Research agent's steps read from the conversation: its rounds of tool calls this turn
 * and how each call went. Pure functions of the messages, shared by the graph and the offline model.
 */

export type ToolCall = NonNullable<AIMessage["tool_calls"]>[number];

/** Declined: the user rejected it, or a stop or the step limit left it unrun; never retried. */
export type Outcome = "ok" | "failed" | "declined";

export interface CallResult {
  call: ToolCall;
  result: ToolMessage | null;
  outcome: Outcome;
}

const DECLINED = /^(The user rejected this action|Cancelled: |Not run: )/;

/** A failed call: an error, or nothing at all, is worth another try with changed input. */
export function outcomeOf(result: ToolMessage): Outcome {
  const content = textOf(result);
  if (DECLINED.test(content)) return "declined";
  if (result.status === "error" || content.startsWith("Error") || content.trim() === "") return "failed";
  return "ok";
}

/** The messages since the user last spoke. */
export function thisTurn(messages: BaseMessage[]): BaseMessage[] {
  let i = messages.length;
  while (i > 0 && !HumanMessage.isInstance(messages[i - 1])) i--;
  return messages.slice(i);
}

/** Each round of tool calls this turn, in order, with each call's result (null: not back yet). */
export function roundsThisTurn(messages: BaseMessage[]): CallResult[][] {
  const turn = thisTurn(messages);
  const results = new Map(turn.filter((m) => ToolMessage.isInstance(m)).map((m) => [(m as ToolMessage).tool_call_id, m as ToolMessage]));
  return turn
    .filter((m): m is AIMessage => AIMessage.isInstance(m) && Boolean(m.tool_calls?.length))
    .map((m) =>
      m.tool_calls!.map((call) => {
        const result = results.get(call.id ?? "") ?? null;
        return { call, result, outcome: result ? outcomeOf(result) : "failed" };
      }),
    );
}

/** The calls of the latest round that failed. */
export const failedInLastRound = (messages: BaseMessage[]) => (roundsThisTurn(messages).at(-1) ?? []).filter((r) => r.outcome === "failed");

/** A call as a step's label shows it: `calculator(expression: 2+2)`. */
export const describeCall = (call: ToolCall) =>
  `${call.name}(${Object.entries(call.args)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ")})`;

/** The Research agent's model calls, each told which step it is (the offline model reads this line too). */
export type ResearchPhase = "plan" | "retry" | "answer";

export const PHASE_PROMPTS: Record<ResearchPhase, string> = {
  plan: "Research step: plan. Work out which independent lookups the question needs and call all of their tools at once, in this one reply: they run in parallel. If no lookup is needed, answer directly.",
  retry:
    "Research step: retry. Some tool calls above failed or returned nothing. Call only those tools again, with corrected input. If a call cannot be corrected, call no tool and write nothing.",
  answer: "Research step: answer. Answer the question from the tool results above, in Markdown. Say which lookups failed, if any.",
};

/** Which step a model call is for, from its system message; null outside the Research agent. */
export const phaseIn = (system: string): ResearchPhase | null =>
  (/^Research step: (plan|retry|answer)\./m.exec(system)?.[1] as ResearchPhase | undefined) ?? null;
