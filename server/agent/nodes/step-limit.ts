import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import type { MessagesAnnotation } from "@langchain/langgraph";

/** How many rounds of tool calls the model has made since the user last spoke. */
export function toolRoundsThisTurn(messages: BaseMessage[]): number {
  let rounds = 0;
  for (let i = messages.length - 1; i >= 0 && !HumanMessage.isInstance(messages[i]); i--) {
    const m = messages[i];
    if (AIMessage.isInstance(m) && m.tool_calls?.length) rounds++;
  }
  return rounds;
}

/**
 * Ends a turn whose model keeps calling tools. Each pending call gets a result (providers reject a
 * history with unanswered tool calls), then the user gets a plain explanation.
 */
export function stepLimitNode(maxToolRounds: number) {
  return (state: typeof MessagesAnnotation.State) => {
    const last = state.messages.at(-1);
    const pending = last && AIMessage.isInstance(last) ? (last.tool_calls ?? []) : [];
    return {
      messages: [
        ...pending.map((call) => new ToolMessage({ tool_call_id: call.id ?? "", name: call.name, content: "Not run: the step limit was reached." })),
        new AIMessage(
          `I stopped after ${maxToolRounds} rounds of tool calls without reaching an answer. Try rephrasing the question, or splitting it into smaller ones.`,
        ),
      ],
    };
  };
}
