import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseCheckpointSaver, RetryPolicy } from "@langchain/langgraph";
import type { DB } from "@/db/client";
import { config } from "@/server/config";
import { memoryAccess } from "@/server/memory";
import type { Embedder } from "@/server/memory/embeddings";
import { agentTools as mcpAgentTools } from "@/server/mcp/agent-tools";
import { McpServers } from "@/server/mcp/servers";
import type { ThreadlineFile } from "./config-file";
import { modelSummarizer } from "./context";
import { type AgentGraph, buildAgentGraph } from "./graph";
import { chooseModel, modelFor, type ModelChoice, visionOf } from "./model";
import { basicTools, memoryTools } from "./tools";
import { attachmentContents } from "@/server/attachments/store";
import type { StructuredToolInterface } from "@langchain/core/tools";

export interface Agent {
  choice: Pick<ModelChoice, "provider" | "model" | "label">;
  model: BaseChatModel;
  graph: AgentGraph;
  /** The agent's tools as they are now (MCP tools come and go with their servers). */
  readonly tools: StructuredToolInterface[];
  checkpointer: BaseCheckpointSaver;
  /** Embeds memories when EMBEDDINGS_PROVIDER is set; null: full-text recall only. */
  embedder: Embedder | null;
  /** The agent's tools that cannot run right now, as `<server>/<tool>`: the conversation header names them. */
  unavailableTools(): string[];
  /** Whether its model is sent images (LLM_VISION); the composer says so before an image is sent. */
  vision: boolean;
}

export interface AssembleOptions {
  /** The operator's threadline.config.json; null: the built-in agent over the environment's model. */
  file: ThreadlineFile | null;
  db: DB;
  checkpointer: BaseCheckpointSaver;
  embedder: Embedder | null;
  /** The file's MCP servers, connected (or trying to); null when it has none. */
  servers: McpServers | null;
  /** Tests: this model instead of the one the file or the environment chooses. */
  model?: BaseChatModel;
  retry?: RetryPolicy;
}

/**
 * The agent a conversation gets: the file's default agent (its model, prompt, tools with their
 * approval policies, tool rounds and memory), or without a file (or with no agents in it) the
 * built-in agent exactly as before.
 */
export async function assembleAgent(o: AssembleOptions): Promise<Agent> {
  const spec = o.file?.agents.find((a) => a.id === o.file?.defaultAgent) ?? null;
  const modelSpec = spec?.model ? o.file!.models.find((m) => m.id === spec.model) : undefined;
  const choice = modelSpec ? modelFor(modelSpec) : chooseModel();
  const model = o.model ?? (await choice.create());
  const usesMemory = spec?.memory ?? true;
  const memory = usesMemory ? memoryTools({ db: o.db, embedder: o.embedder }) : [];
  const builtIn = [...basicTools, ...memory];
  const tools = spec ? mcpAgentTools(spec, basicTools, memory, o.servers ?? McpServers.none()) : { source: () => builtIn, unavailable: () => [] };
  const source = tools.source;
  // A real model writes the running summary of long conversations; the offline one extracts it.
  const summarizer = choice.provider === "offline" ? undefined : modelSummarizer(model);
  const vision = visionOf(choice.provider, choice.model, config().LLM_VISION);
  const graph = buildAgentGraph({
    model,
    tools: source,
    checkpointer: o.checkpointer,
    modelTimeoutMs: config().MODEL_TIMEOUT_MS,
    summarizer,
    labels: { provider: choice.provider, model: choice.model },
    memory: usesMemory ? { access: memoryAccess(o.db, o.embedder), budgetTokens: config().MEMORY_BUDGET_TOKENS } : null,
    attachments: { load: (userId, ids) => attachmentContents(o.db, userId, ids), vision },
    ...(spec?.systemPrompt && { systemPrompt: spec.systemPrompt }),
    ...(spec && { maxToolRounds: spec.maxToolRounds }),
    ...(o.retry && { retry: o.retry }),
  });
  return {
    choice,
    model,
    graph,
    get tools() {
      return source();
    },
    checkpointer: o.checkpointer,
    embedder: o.embedder,
    unavailableTools: tools.unavailable,
    vision,
  };
}
