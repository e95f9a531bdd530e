import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseCheckpointSaver, RetryPolicy } from "@langchain/langgraph";
import type { DB } from "@/db/client";
import { config } from "@/server/config";
import { memoryAccess } from "@/server/memory";
import type { Embedder } from "@/server/memory/embeddings";
import { agentTools as mcpAgentTools } from "@/server/mcp/agent-tools";
import { McpServers } from "@/server/mcp/servers";
import type { AgentSpec, ThreadlineFile } from "./config-file";
import { modelSummarizer } from "./context";
import type { AgentGraph } from "./graph";
import { compileGraph, type RuntimeNodes } from "./graphs";
import type { AnsweredBy } from "./nodes/model";
import { type ModelChoice, visionOf } from "./model";
import { basicTools, memoryTools } from "./tools";
import { attachmentContents } from "@/server/attachments/store";
import type { StructuredToolInterface } from "@langchain/core/tools";

export interface Agent {
  /** The agent's id in the registry (`assistant` for the built-in one) and the name users see. */
  id: string;
  name: string;
  choice: Pick<ModelChoice, "provider" | "model" | "label">;
  /** The configured model each answer records (see AnsweredBy). */
  answeredBy: AnsweredBy;
  model: BaseChatModel;
  graph: AgentGraph;
  /** The graph's nodes the runtime writes stopped answers and cancelled tool results as. */
  nodes: RuntimeNodes;
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

/** What every agent of an instance shares: the database, the checkpointer, memory's embedder, the MCP connections. */
export interface AgentDeps {
  db: DB;
  checkpointer: BaseCheckpointSaver;
  embedder: Embedder | null;
  /** The file's MCP servers, connected (or trying to); null when it has none. */
  servers: McpServers | null;
  /** Tests: this model instead of the one the file or the environment chooses. */
  model?: BaseChatModel;
  retry?: RetryPolicy;
}

/** One agent as configured: the file's spec (null: the built-in agent's settings) and the graph it runs. */
export interface AgentDefinition {
  id: string;
  name: string;
  description: string;
  graph: string;
  spec: AgentSpec | null;
}

/**
 * One agent over one model: its tools with their approval policies, prompt, tool rounds and memory,
 * and its graph compiled with the instance's checkpointer. A definition without a spec is the
 * built-in agent exactly as before the file existed.
 */
export async function buildAgent(def: AgentDefinition, choice: ModelChoice, answeredBy: AnsweredBy, deps: AgentDeps): Promise<Agent> {
  const spec = def.spec;
  const model = deps.model ?? (await choice.create());
  const usesMemory = spec?.memory ?? true;
  const memory = usesMemory ? memoryTools({ db: deps.db, embedder: deps.embedder }) : [];
  const builtIn = [...basicTools, ...memory];
  const tools = spec ? mcpAgentTools(spec, basicTools, memory, deps.servers ?? McpServers.none()) : { source: () => builtIn, unavailable: () => [] };
  const source = tools.source;
  // A real model writes the running summary of long conversations; the offline one extracts it.
  const summarizer = choice.provider === "offline" ? undefined : modelSummarizer(model);
  const vision = visionOf(choice.provider, choice.model, config().LLM_VISION);
  const { graph, nodes } = compileGraph(
    def.graph,
    {
      model,
      tools: source,
      modelTimeoutMs: config().MODEL_TIMEOUT_MS,
      summarizer,
      labels: { provider: choice.provider, model: choice.model },
      answeredBy,
      memory: usesMemory ? { access: memoryAccess(deps.db, deps.embedder), budgetTokens: config().MEMORY_BUDGET_TOKENS } : null,
      systemPrompt: spec?.systemPrompt,
      maxToolRounds: spec?.maxToolRounds ?? 8,
      attachments: { load: (userId, ids) => attachmentContents(deps.db, userId, ids), vision },
      ...(deps.retry && { retry: deps.retry }),
    },
    deps.checkpointer,
  );
  return {
    id: def.id,
    name: def.name,
    choice,
    answeredBy,
    model,
    graph,
    nodes,
    get tools() {
      return source();
    },
    checkpointer: deps.checkpointer,
    embedder: deps.embedder,
    unavailableTools: tools.unavailable,
    vision,
  };
}

export interface AssembleOptions extends AgentDeps {
  /** The operator's threadline.config.json; null: the built-in agent over the environment's model. */
  file: ThreadlineFile | null;
}
