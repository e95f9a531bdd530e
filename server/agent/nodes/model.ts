import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { SystemMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { MessagesAnnotation } from "@langchain/langgraph";

export const SYSTEM_PROMPT =
  "You are Threadline's assistant. Answer clearly and concisely, in Markdown. Use the calculator tool for any arithmetic and the current_time tool for dates and times instead of guessing.";

export class ModelTimeoutError extends Error {
  constructor(ms: number) {
    super(`The model did not answer within ${ms >= 1000 ? `${Math.round(ms / 1000)} seconds` : `${ms} ms`}`);
    this.name = "ModelTimeoutError";
  }
}

/** One model call over the conversation, with its own time limit on top of the run's cancel signal. */
export function modelNode(model: BaseChatModel, tools: StructuredToolInterface[], timeoutMs: number) {
  const bound = model.bindTools!(tools);
  return async (state: typeof MessagesAnnotation.State, config: RunnableConfig) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = config.signal ? AbortSignal.any([config.signal, timeout]) : timeout;
    try {
      // The node's config carries LangGraph's callbacks, which is how tokens reach the stream.
      const response = await bound.invoke([new SystemMessage(SYSTEM_PROMPT), ...state.messages], { ...config, signal });
      return { messages: [response] };
    } catch (err) {
      if (timeout.aborted && !config.signal?.aborted) throw new ModelTimeoutError(timeoutMs);
      throw err;
    }
  };
}
