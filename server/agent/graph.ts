import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage } from "@langchain/core/messages";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { Annotation, type BaseCheckpointSaver, END, MessagesAnnotation, type RetryPolicy, START, StateGraph } from "@langchain/langgraph";
import { instrumentNode } from "@/server/observability/graph";
import { logger } from "@/server/observability/log";
import type { AttachmentOptions } from "./attachments";
import { contextBudget, extractiveSummarizer, type Summarizer, type Summary } from "./context";
import { type AnsweredBy, type MemoryOptions, modelNode, ModelTimeoutError } from "./nodes/model";
import { reviewNode, toolsNode } from "./nodes/review";
import { stepLimitNode, toolRoundsThisTurn } from "./nodes/step-limit";
import { type ToolSource, toolSource } from "./tools";
import { isDatabaseError } from "@/db/client";

export interface AgentOptions {
  model: BaseChatModel;
  /** The tools, or where to get them at each step (MCP tools come and go with their servers). */
  tools: StructuredToolInterface[] | ToolSource;
  checkpointer?: BaseCheckpointSaver;
  /** The agent's instructions; Threadline's own when left out. */
  systemPrompt?: string;
  /** Rounds of tool calls allowed in one turn before the run stops with an explanation. */
  maxToolRounds?: number;
  modelTimeoutMs?: number;
  /** For the model node; without `retryOn`, isTransient decides. */
  retry?: RetryPolicy;
  /** Tokens sent per model call, at most; older turns go into a running summary. */
  contextBudget?: number;
  /** Who writes that summary: extractive unless a model is given the job. */
  summarizer?: Summarizer;
  /** How model calls are labelled in the metrics. */
  labels?: { provider: string; model: string };
  /** Recall before each model call, in runs whose configurable says `memory: "on"`; none without it. */
  memory?: MemoryOptions | null;
  /** The configured model each answer records (its id and what the UI shows); the labels' model when left out. */
  answeredBy?: AnsweredBy;
  /** Where the files of user messages are read from for a call, and whether the model sees images. */
  attachments?: AttachmentOptions | null;
}

/** The conversation, plus the running summary of what no longer fits in a model call. */
export const AgentState = Annotation.Root({
  ...MessagesAnnotation.spec,
  summary: Annotation<Summary | null>({ reducer: (_previous, next) => next, default: () => null }),
});

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, initialInterval: 500, backoffFactor: 2, maxInterval: 8_000, jitter: true, retryOn: isTransient };

/**
 * model → review → tools → model, with a step limit. Review pauses for the user's approval before
 * side-effecting tools. Every step is checkpointed when a checkpointer is given.
 */
export function buildAgentGraph({ checkpointer, ...options }: AgentOptions) {
  return agentGraphBuilder(options).compile({ checkpointer });
}

/** The built-in graph, not yet compiled: what the `chat` graph definition gives Threadline to compile. */
export function agentGraphBuilder({
  model,
  tools,
  maxToolRounds = 8,
  modelTimeoutMs = 60_000,
  retry = DEFAULT_RETRY,
  contextBudget: budget = contextBudget(),
  summarizer = extractiveSummarizer,
  labels = { provider: "unknown", model: "unknown" },
  memory = null,
  systemPrompt,
  answeredBy,
  attachments = null,
}: Omit<AgentOptions, "checkpointer">) {
  const source = toolSource(tools);
  return new StateGraph(AgentState)
    .addNode(
      "model",
      instrumentNode("model", modelNode(model, source, modelTimeoutMs, budget, summarizer, labels, memory, systemPrompt, answeredBy, attachments)),
      {
        retryPolicy: loggedRetries(retry),
      },
    )
    .addNode("review", instrumentNode("review", reviewNode(source)))
    .addNode("tools", instrumentNode("tools", toolsNode(source)))
    .addNode("step_limit", instrumentNode("step_limit", stepLimitNode(maxToolRounds)))
    .addEdge(START, "model")
    .addConditionalEdges(
      "model",
      (state) => {
        const last = state.messages.at(-1);
        if (!last || !AIMessage.isInstance(last) || !last.tool_calls?.length) return END;
        return toolRoundsThisTurn(state.messages) > maxToolRounds ? "step_limit" : "review";
      },
      ["review", "step_limit", END],
    )
    .addEdge("review", "tools")
    .addEdge("tools", "model")
    .addEdge("step_limit", END);
}

export type AgentGraph = ReturnType<typeof buildAgentGraph>;

/**
 * The policy with each retry written to the app's log: LangGraph's own notice is a console.log
 * line, unstructured among the JSON lines in production and printed through every test run.
 * LangGraph asks `retryOn` only while attempts remain, so a yes is a retry.
 */
export function loggedRetries(retry: RetryPolicy): RetryPolicy {
  const retryOn = retry.retryOn ?? isTransient;
  return {
    ...retry,
    logWarning: false,
    retryOn: (err) => {
      const again = retryOn(err);
      if (again) logger().warn({ node: "model", reason: err instanceof Error ? err.message : String(err) }, "model call failed; retrying");
      return again;
    },
  };
}

/** Worth another try: the provider's rate limits, server errors, dropped connections and our own timeout. */
export function isTransient(err: unknown): boolean {
  const e = err as { status?: number; code?: string; name?: string; cause?: { code?: string } } | null;
  if (!e) return false;
  // Another model call would not bring the database back (and a step that read it would read again).
  if (isDatabaseError(err)) return false;
  if (e instanceof ModelTimeoutError) return true;
  if (typeof e.status === "number") return e.status === 408 || e.status === 409 || e.status === 429 || e.status >= 500;
  const code = e.code ?? e.cause?.code;
  if (code && ["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT"].includes(code)) return true;
  return e.name === "APIConnectionError" || e.name === "APIConnectionTimeoutError";
}
