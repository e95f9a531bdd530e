import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { BaseChatModel, type BaseChatModelCallOptions, type BindToolsInput } from "@langchain/core/language_models/chat_models";
import { AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { randomUUID } from "node:crypto";

/** What the model "decides" to say next: text, tool calls, or both. */
export interface Reply {
  text?: string;
  toolCalls?: { name: string; args: Record<string, unknown> }[];
}

/** Chooses a reply for the conversation so far, given the names of the tools bound to the model. */
export type Planner = (messages: BaseMessage[], toolNames: string[]) => Reply | Promise<Reply>;

export interface ScriptedModelOptions {
  /** Pause before each token, in ms: a realistic pace for people, 0 for tests and benchmarks. */
  tokenDelayMs: number;
}

/**
 * A chat model whose replies come from a planner and stream token by token like a real provider's:
 * the built-in offline model, and the scripted fake in tests, are both this with different planners.
 */
export class ScriptedChatModel extends BaseChatModel<BaseChatModelCallOptions> {
  constructor(
    private readonly planner: Planner,
    private readonly options: ScriptedModelOptions,
    private readonly toolNames: string[] = [],
  ) {
    super({});
  }

  _llmType() {
    return "threadline-scripted";
  }

  override bindTools(tools: BindToolsInput[]) {
    const names = tools.map((t) => ("name" in t && typeof t.name === "string" ? t.name : ((t as { function?: { name?: string } }).function?.name ?? "")));
    return new ScriptedChatModel(this.planner, this.options, names);
  }

  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    let final: ChatGenerationChunk | undefined;
    for await (const chunk of this._streamResponseChunks(messages, options, runManager)) final = final ? final.concat(chunk) : chunk;
    return { generations: final ? [final] : [] };
  }

  async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const reply = await this.planner(messages, this.toolNames);
    const id = `msg_${randomUUID()}`;
    const tokens = reply.text?.match(/\s*\S+/g) ?? [];
    for (const token of tokens) {
      await pause(this.options.tokenDelayMs, options.signal);
      const chunk = new ChatGenerationChunk({ text: token, message: new AIMessageChunk({ id, content: token }) });
      yield chunk;
      await runManager?.handleLLMNewToken(token, undefined, undefined, undefined, undefined, { chunk });
    }
    const calls = reply.toolCalls ?? [];
    const inputTokens = estimateTokens(messages.map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content))).join("\n"));
    const outputTokens = estimateTokens(reply.text ?? "") + calls.length * 10;
    yield new ChatGenerationChunk({
      text: "",
      message: new AIMessageChunk({
        id,
        content: "",
        tool_call_chunks: calls.map((c, index) => ({ type: "tool_call_chunk", index, id: `call_${randomUUID()}`, name: c.name, args: JSON.stringify(c.args) })),
        usage_metadata: { input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
      }),
    });
  }
}

/** About four characters a token: the usual estimate where no tokenizer is at hand. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason ?? new Error("Aborted"));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error("Aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
