import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, type BaseMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { MessagesAnnotation } from "@langchain/langgraph";
import { textOf } from "@/lib/text";
import type { MemoryAccess } from "@/server/memory";
import { type MemorySection, memorySection } from "@/server/memory/prompt";
import { logger } from "@/server/observability/log";
import { observeModelCall } from "@/server/observability/model";
import { type AttachmentOptions, withAttachments } from "../attachments";
import { fitContext, messageTokens, type Summarizer, type Summary } from "../context";
import { type ToolSource, whenChanged } from "../tools";
import { isMemoryTool, type MemoryRunConfig, offeredToModel } from "../tools/memory";

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

/** The configured model an answer records: its id (what feedback counts under) and what the UI shows on hover. */
export interface AnsweredBy {
  model: string;
  label: string;
}

/**
 * What every answer keeps in its response_metadata about who wrote it; a graph of your own puts it on
 * its answers too (see GraphContext.answeredBy), and the UI and feedback read it back.
 */
export const answerMetadata = (by: AnsweredBy) => ({ agent_model: by.model, model_label: by.label });

/** Memory for the model node: how to recall, and the share of the context budget memories may take. */
export interface MemoryOptions {
  access: MemoryAccess;
  budgetTokens: number;
}

/** The text of the user's latest message: what recall looks for. */
function latestUserText(messages: BaseMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (HumanMessage.isInstance(messages[i])) return textOf(messages[i]!);
  return "";
}

/**
 * The memories for this call, when the run may use memory: a query, not a model call. If recall
 * fails the answer goes on without memories rather than failing.
 */
async function recallSection(
  memory: MemoryOptions,
  run: MemoryRunConfig,
  messages: BaseMessage[],
  budget: number,
  signal: AbortSignal,
): Promise<MemorySection> {
  // A fixed share of the budget, never more than half of it, whatever the settings say.
  const share = Math.min(memory.budgetTokens, Math.floor(budget / 2));
  try {
    const section = memorySection(await memory.access.recall(run.user_id, latestUserText(messages).slice(0, 2_000), signal), share);
    memory.access.recalled(
      run.user_id,
      section.used.map((m) => m.id),
    );
    return section;
  } catch (err) {
    if (signal.aborted) throw err;
    logger().warn({ err }, "could not recall memories; answering without them");
    return memorySection([], share);
  }
}

/** One model call over the conversation, with its own time limit on top of the run's cancel signal. */
export function modelNode(
  model: BaseChatModel,
  tools: ToolSource,
  timeoutMs: number,
  budget: number,
  summarizer: Summarizer,
  labels: { provider: string; model: string },
  memory: MemoryOptions | null = null,
  systemPrompt = SYSTEM_PROMPT,
  answeredBy: AnsweredBy = { model: labels.model, label: labels.model },
  attachments: AttachmentOptions | null = null,
) {
  const bindingsFor = whenChanged((now: StructuredToolInterface[]) => {
    const offered = now.filter(offeredToModel);
    // With memory off (the user's switch, or a temporary chat) the model is not offered the memory tools at all.
    return { withMemory: model.bindTools!(offered), withoutMemory: model.bindTools!(offered.filter((t) => !isMemoryTool(t))) };
  });
  return async (state: typeof MessagesAnnotation.State & { summary?: Summary | null }, config: RunnableConfig) => {
    const { withMemory, withoutMemory } = bindingsFor(tools());
    // A timer cleared when the call ends: AbortSignal.timeout's would stay pending (with its signal)
    // for the whole MODEL_TIMEOUT_MS after every call, thousands at once under load.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new DOMException("The model call timed out", "TimeoutError")), timeoutMs);
    const signal = config.signal ? AbortSignal.any([config.signal, timeout.signal]) : timeout.signal;
    const run = (config.configurable ?? {}) as Partial<MemoryRunConfig>;
    const memoryOn = Boolean(memory) && run.memory === "on" && typeof run.user_id === "string";
    const bound = memoryOn ? withMemory : withoutMemory;
    // Fitting happens here, not in a node of its own: one step less to checkpoint every turn.
    try {
      const recalled = memoryOn ? await recallSection(memory!, run as MemoryRunConfig, state.messages, budget, signal) : null;
      const prompt = recalled ? `${systemPrompt}\n\n${recalled.text}` : systemPrompt;
      const context = await fitContext(state.messages, state.summary ?? null, messageTokens(new SystemMessage(prompt)), budget, summarizer, signal);
      const system = context.summary ? `${prompt}\n\nEarlier in this conversation (summarised):\n${context.summary.text}` : prompt;
      // The node's config carries LangGraph's callbacks, which is how tokens reach the stream.
      // Files go in only now, for this call: the state keeps their references.
      const recent = await withAttachments(context.recent, attachments, run.user_id, budget);
      const call = observeModelCall(labels);
      const response = await call.track(async () =>
        asMessage(await bound.invoke([new SystemMessage(system), ...recent], { ...config, callbacks: call.callbacks(config.callbacks), signal })),
      );
      // What this call was sent, estimated as the budget counts it, the memories it was given, and the configured
      // model that wrote it (what feedback is counted under, whatever name the provider reports): kept with the message.
      const memoryIds = recalled?.used.map((m) => m.id) ?? [];
      response.response_metadata = {
        ...response.response_metadata,
        context_tokens: context.tokens,
        ...answerMetadata(answeredBy),
        ...(memoryIds.length > 0 && { memory_ids: memoryIds }),
      };
      return { messages: [response], ...(context.changed && { summary: context.summary }) };
    } catch (err) {
      if (timeout.signal.aborted && !config.signal?.aborted) throw new ModelTimeoutError(timeoutMs);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
}
