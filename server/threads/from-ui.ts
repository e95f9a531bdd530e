import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import type { UiMessage } from "@/lib/messages";

/** What a tool call left without a result gets, so the history stays valid for every provider. */
export const NO_RESULT = "No result was recorded for this call.";

/**
 * The checkpoint messages a UI message stands for: the inverse of toUiMessages, so that a
 * conversation written from UI messages (a copy, an import) reads back as the same UI messages.
 * An assistant turn's parts become model messages, each text starting a new one and tool calls
 * joining the one before them, with each call's result as a tool message after it. The usage goes
 * on the first model message, where toUiMessages adds it up from.
 */
export function fromUiMessage(message: UiMessage): BaseMessage[] {
  if (message.role === "user")
    return [
      new HumanMessage({
        id: message.id,
        content: message.text,
        ...(message.attachments?.length && { additional_kwargs: { attachments: message.attachments } }),
      }),
    ];
  const out: BaseMessage[] = [];
  let ai: AIMessage | null = null;
  let calls: Extract<UiMessage, { role: "assistant" }>["parts"] = [];
  const flush = () => {
    for (const part of calls) {
      if (part.type !== "tool") continue;
      const result = part.result ?? { content: NO_RESULT, isError: true };
      out.push(
        new ToolMessage({
          id: `${message.id}-result-${out.length}`,
          tool_call_id: part.id,
          name: part.name,
          content: result.content,
          status: result.isError ? "error" : "success",
        }),
      );
    }
    calls = [];
  };
  const metadata = () => ({
    ...(message.stopped && { stopped: true }),
    ...(message.model && { agent_model: message.model }),
    ...(message.modelLabel && { model_label: message.modelLabel }),
  });
  const startAi = (text: string) => {
    flush();
    const first = out.length === 0;
    ai = new AIMessage({
      id: first ? message.id : `${message.id}-${out.length}`,
      content: text,
      tool_calls: [],
      response_metadata: metadata(),
      ...(first &&
        message.usage && {
          usage_metadata: { input_tokens: message.usage.input, output_tokens: message.usage.output, total_tokens: message.usage.input + message.usage.output },
        }),
    });
    out.push(ai);
  };
  for (const part of message.parts) {
    if (part.type === "text") startAi(part.text);
    else if (part.type === "tool") {
      if (!ai) startAi("");
      ai!.tool_calls!.push({ id: part.id, name: part.name, args: part.args, type: "tool_call" });
      calls.push(part);
    }
  }
  if (!ai) startAi("");
  flush();
  return out;
}
