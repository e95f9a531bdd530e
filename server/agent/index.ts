import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { getDb } from "@/server/db";
import { getCheckpointer } from "./checkpointer";
import { modelSummarizer } from "./context";
import { type AgentGraph, buildAgentGraph } from "./graph";
import { config } from "@/server/config";
import { chooseModel, type ModelChoice } from "./model";
import { agentTools } from "./tools";
import { chooseEmbedder, type Embedder } from "@/server/memory/embeddings";
import { memoryAccess } from "@/server/memory";

export interface Agent {
  choice: Pick<ModelChoice, "provider" | "model" | "label">;
  model: BaseChatModel;
  graph: AgentGraph;
  tools: StructuredToolInterface[];
  checkpointer: BaseCheckpointSaver;
  /** Embeds memories when EMBEDDINGS_PROVIDER is set; null: full-text recall only. */
  embedder: Embedder | null;
}

/** A thread's state as the graph reports it: values, the checkpoint's config, pending tasks. */
export type ThreadState = Awaited<ReturnType<AgentGraph["getState"]>>;

const cache = globalThis as unknown as { __threadlineAgent?: Promise<Agent> };

/** The server's agent: the configured model over the tools, checkpointed in the app's Postgres. */
export function getAgent(): Promise<Agent> {
  return (cache.__threadlineAgent ??= (async () => {
    const choice = chooseModel();
    const model = await choice.create();
    const checkpointer = getCheckpointer();
    const db = getDb();
    const embedder = chooseEmbedder();
    const tools = agentTools({ db, embedder });
    // A real model writes the running summary of long conversations; the offline one extracts it.
    const summarizer = choice.provider === "offline" ? undefined : modelSummarizer(model);
    const graph = buildAgentGraph({
      model,
      tools,
      checkpointer,
      modelTimeoutMs: config().MODEL_TIMEOUT_MS,
      summarizer,
      labels: { provider: choice.provider, model: choice.model },
      memory: { access: memoryAccess(db, embedder), budgetTokens: config().MEMORY_BUDGET_TOKENS },
    });
    return { choice, model, graph, tools, checkpointer, embedder };
  })());
}
