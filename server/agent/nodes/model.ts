import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, SystemMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { MessagesAnnotation } from "@langchain/langgraph";
import { observeModelCall } from "@/server/observability/model";
import { fitContext, messageTokens, type Summarizer, type Summary } from "../context";

export const SYSTEM_PROMPT =
  "You are Threadline's assistant. Answer clearly and concisely, in Markdown. Use the calculator tool for any arithmetic and the current_time tool for dates and times instead of guessing.";

export class ModelTimeoutError extends Error {
  constructor(ms: number) {
    super(`The model did not answer within ${ms >= 1000 ? `${Math.round(ms / 1000)} seconds` : `${ms} ms`}`);
    this.name = "ModelTimeoutError";
  }
}

/**
 * A streamed reply arrives as an AIMessageChunk; the state keeps an AIMessage. Converting here rather
 * than in the reducer means the node's write and the state hold the same object, which the
 * checkpointer stores once.
 */
function asMessage(response: AIMessage | AIMessageChunk): AIMessage {
  if (!AIMessageChunk.isInstance(response)) return response;
  const { id, content, name, tool_calls, invalid_tool_calls, usage_metadata, response_metadata, additional_kwargs } = response;
  const fields = { id, content, name, tool_calls, invalid_tool_calls, usage_metadata, response_metadata, additional_kwargs };
  // Fields left unset stay unset, rather than being stored as explicit undefineds.
  return new AIMessage(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as typeof fields);
}

/** One model call over the conversation, with its own time limit on top of the run's cancel signal. */
export function modelNode(
  model: BaseChatModel,
  tools: StructuredToolInterface[],
  timeoutMs: number,
  budget: number,
  summarizer: Summarizer,
  labels: { provider: string; model: string },
) {
  const bound = model.bindTools!(tools);
  return async (state: typeof MessagesAnnotation.State & { summary?: Summary | null }, config: RunnableConfig) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = config.signal ? AbortSignal.any([config.signal, timeout]) : timeout;
    // Fitting happens here, not in a node of its own: one step less to checkpoint every turn.
    try {
      const context = await fitContext(state.messages, state.summary ?? null, messageTokens(new SystemMessage(SYSTEM_PROMPT)), budget, summarizer, signal);
      const system = context.summary ? `${SYSTEM_PROMPT}\n\nEarlier in this conversation (summarised):\n${context.summary.text}` : SYSTEM_PROMPT;
      // The node's config carries LangGraph's callbacks, which is how tokens reach the stream.
      const call = observeModelCall(labels);
      const response = await call.track(async () =>
        asMessage(await bound.invoke([new SystemMessage(system), ...context.recent], { ...config, callbacks: call.callbacks(config.callbacks), signal })),
      );
      // What this call was sent, estimated as the budget counts it: kept with the message.
      response.response_metadata = { ...response.response_metadata, context_tokens: context.tokens };
      return { messages: [response], ...(context.changed && { summary: context.summary }) };
    } catch (err) {
      if (timeout.aborted && !config.signal?.aborted) throw new ModelTimeoutError(timeoutMs);
      throw err;
    }
  };
}
