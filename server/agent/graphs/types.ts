import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseCheckpointSaver, RetryPolicy } from "@langchain/langgraph";
import type { Summarizer } from "../context";
import type { AttachmentOptions } from "../attachments";
import type { AnsweredBy, MemoryOptions } from "../nodes/model";
import type { ToolSource } from "../tools";

/**
 * The extension point for a graph of your own. Threadline hands the factory everything the built-in
 * agent is made of (the conversation's model, the agent's tools with their approval policies, its
 * prompt and limits, memory recall); the factory returns an *uncompiled* graph, and Threadline
 * compiles it with its checkpointer, so checkpoints, reload, takeover, drain, branches, metrics and
 * traces work as they do for the built-in agent.
 */
export interface GraphContext {
  model: BaseChatModel;
  /** The agent's tools as they are at this step (MCP tools come and go with their servers). */
  tools: ToolSource;
  /** The agent's instructions; the factory's own when left out. */
  systemPrompt?: string;
  maxToolRounds: number;
  modelTimeoutMs: number;
  /** Recall before each model call; null when the agent does not use memory. */
  memory: MemoryOptions | null;
  /** Writes the running summary of what no longer fits; extractive when left out. */
  summarizer?: Summarizer;
  /** How the graph's model calls are labelled in the metrics. */
  labels: { provider: string; model: string };
  /** Where user messages' files are read from for a model call, and whether the model sees images; none when left out. */
  attachments?: AttachmentOptions | null;
  /**
   * The configured model of this conversation: put `answerMetadata(answeredBy)` (nodes/model.ts) in
   * each answer's response_metadata, and the UI shows it on hover and feedback counts under it.
   */
  answeredBy: AnsweredBy;
  retry?: RetryPolicy;
}

/** What a factory returns: a StateGraph builder (its state has `messages`), not yet compiled. */
export interface CompilableGraph {
  compile(options: { checkpointer?: BaseCheckpointSaver }): unknown;
}

/**
 * The nodes the runtime writes state "as" (StateGraph.updateState's asNode) when an answer is
 * stopped, cancelled or edited: `answer` writes the stopped answer (an AIMessage), `tools` the
 * "cancelled" results of tool calls left open (ToolMessages). Both must be nodes of the graph;
 * registration checks it.
 */
export interface RuntimeNodes {
  answer: string;
  tools: string;
}

/** A graph registered by id; an agent in threadline.config.json names it with `"graph": "<id>"`. */
export interface GraphDefinition {
  id: string;
  build(context: GraphContext): CompilableGraph;
  /** Which of its nodes the runtime writes as; `{ answer: "model", tools: "tools" }` when left out. */
  nodes?: RuntimeNodes;
}
