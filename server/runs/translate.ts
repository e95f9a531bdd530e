import { AIMessage, AIMessageChunk, type BaseMessage, ToolMessage } from "@langchain/core/messages";
import type { RunEvent } from "@/lib/run-events";
import type { RecordedStep } from "@/server/agent/graphs/steps";
import { textOf } from "@/lib/text";

/** What a node's update may carry: messages, and steps (server/agent/graphs/steps.ts). */
type NodeUpdate = { messages?: BaseMessage[]; steps?: RecordedStep[] };

/**
 * Turns LangGraph's stream (modes "messages" and "updates") into run events. Tokens come from
 * "messages"; a node's finished output (tool calls with complete arguments, usage, tool results,
 * a graph's steps) comes from "updates".
 */
export class StreamTranslator {
  private current: { id: string; text: string } | null = null;

  /** `answerNode`: the graph's node whose model tokens are the answer (the agent's nodes.answer). */
  constructor(
    private readonly emit: (event: RunEvent) => void,
    private readonly answerNode = "model",
  ) {}

  /** The answer streamed so far, if one is in flight: what a stop keeps. */
  get partial() {
    return this.current;
  }

  handle(mode: string, chunk: unknown) {
    if (mode === "messages") this.onToken(chunk as [BaseMessage, { langgraph_node?: string }]);
    else if (mode === "updates") this.onUpdate(chunk as Record<string, NodeUpdate | undefined>);
  }

  private onToken([message, meta]: [BaseMessage, { langgraph_node?: string }]) {
    if (meta?.langgraph_node !== this.answerNode || !AIMessageChunk.isInstance(message)) return;
    const delta = textOf(message);
    if (!delta) return;
    const id = this.start(message.id);
    this.current!.text += delta;
    this.emit({ type: "text-delta", messageId: id, delta });
  }

  private onUpdate(update: Record<string, NodeUpdate | undefined>) {
    for (const [node, output] of Object.entries(update)) {
      // A node's steps come before the messages it adds: a plan, then the calls it planned.
      for (const step of output?.steps ?? []) this.emit({ type: "step", kind: step.kind, label: step.label });
      for (const message of output?.messages ?? []) {
        if (node === "review" && AIMessage.isInstance(message)) {
          // The user edited a call before approving it: the same calls, with the arguments that run.
          for (const call of message.tool_calls ?? [])
            this.emit({ type: "tool-call", messageId: message.id ?? "", toolCallId: call.id ?? "", name: call.name, args: call.args });
        } else if (ToolMessage.isInstance(message)) {
          const content = textOf(message);
          this.emit({
            type: "tool-result",
            toolCallId: message.tool_call_id,
            name: message.name ?? "",
            content,
            isError: message.status === "error" || content.startsWith("Error"),
          });
        } else if (AIMessage.isInstance(message)) {
          this.finishMessage(message);
        }
      }
    }
  }

  /** A finished AI message: text not streamed yet (a non-streaming provider), its tool calls, its end. */
  private finishMessage(message: AIMessage) {
    const id = this.start(message.id);
    const full = textOf(message);
    const streamed = this.current!.text;
    if (full.length > streamed.length && full.startsWith(streamed)) this.emit({ type: "text-delta", messageId: id, delta: full.slice(streamed.length) });
    for (const call of message.tool_calls ?? []) {
      this.emit({ type: "tool-call", messageId: id, toolCallId: call.id ?? "", name: call.name, args: call.args });
    }
    const usage = message.usage_metadata;
    this.emit({ type: "message-end", messageId: id, usage: usage ? { input: usage.input_tokens, output: usage.output_tokens } : null });
    this.current = null;
  }

  private start(messageId: string | undefined): string {
    if (!this.current) {
      this.current = { id: messageId ?? crypto.randomUUID(), text: "" };
      this.emit({ type: "message-start", messageId: this.current.id });
    }
    return this.current.id;
  }
}
