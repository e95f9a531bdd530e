import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type pg from "pg";
import { createDb } from "../../db/client";
import type { Agent, AgentRegistry } from "../../server/agent";
import { createCheckpointer } from "../../server/agent/checkpointer";
import { buildAgentGraph } from "../../server/agent/graph";
import { compileGraph } from "../../server/agent/graphs";
import { createOfflineModel } from "../../server/agent/offline-model";
import { agentTools } from "../../server/agent/tools";
import { config } from "../../server/config";
import { memoryAccess } from "../../server/memory";
import { attachmentContents } from "../../server/attachments/store";
import type { Embedder } from "../../server/memory/embeddings";
import { Invalid } from "../../server/errors";

export interface TestAgentOptions {
  provider?: Agent["choice"]["provider"];
  retry?: Parameters<typeof buildAgentGraph>[0]["retry"];
  /** A fake embedder (see scripts/testing/embedder.ts); none by default, as with no EMBEDDINGS_PROVIDER. */
  embedder?: Embedder | null;
  contextBudget?: number;
  memoryBudget?: number;
  /** Whether the model is sent images; the offline model's none by default. */
  vision?: boolean;
}

/** The real graph and Postgres checkpointer on a test database, with any model (the offline one by default). */
export function testAgent(pool: pg.Pool, model: BaseChatModel = createOfflineModel(0), opts: TestAgentOptions = {}): Agent {
  const checkpointer = createCheckpointer(pool);
  const db = createDb(pool);
  const embedder = opts.embedder ?? null;
  const tools = agentTools({ db, embedder });
  const graph = buildAgentGraph({
    model,
    tools,
    checkpointer,
    labels: { provider: opts.provider ?? "offline", model: "test" },
    ...(opts.retry && { retry: opts.retry }),
    ...(opts.contextBudget && { contextBudget: opts.contextBudget }),
    memory: { access: memoryAccess(db, embedder), budgetTokens: opts.memoryBudget ?? config().MEMORY_BUDGET_TOKENS },
    attachments: { load: (userId, ids) => attachmentContents(db, userId, ids), vision: opts.vision ?? false },
  });
  return {
    id: "assistant",
    name: "Assistant",
    choice: { provider: opts.provider ?? "offline", model: "test", label: "Test model" },
    answeredBy: { model: "test", label: "Test model" },
    nodes: { answer: "model", tools: "tools" },
    model,
    graph,
    tools,
    checkpointer,
    embedder,
    unavailableTools: () => [],
    vision: opts.vision ?? false,
  };
}

/** A registry of one agent, for tests that build their agent by hand: every conversation gets it. */
export function registryOf(agent: Agent): AgentRegistry {
  const info = {
    id: agent.id,
    name: agent.name,
    description: "",
    tools: agent.tools.map((t) => t.name),
    models: [{ id: agent.answeredBy.model, label: agent.answeredBy.label }],
    defaultModel: agent.answeredBy.model,
  };
  return {
    defaultAgentId: agent.id,
    agents: [info],
    get: async () => agent,
    resolve: () => ({ agent: info, modelId: info.defaultModel }),
    check: (choice) => {
      if (choice.agentId && choice.agentId !== agent.id) throw new Invalid(`There is no agent "${choice.agentId}"`);
      if (choice.modelId && choice.modelId !== info.defaultModel) throw new Invalid(`${agent.name} cannot use the model "${choice.modelId}"`);
    },
  };
}

/**
 * The Research agent (server/agent/graphs/research.ts) over the real checkpointer, compiled as the
 * registry compiles it (compileGraph, which checks the runtime's contract). `tools`: the built-in
 * agent's by default.
 */
export function testResearchAgent(pool: pg.Pool, model: BaseChatModel = createOfflineModel(0), tools?: StructuredToolInterface[]): Agent {
  const checkpointer = createCheckpointer(pool);
  const db = createDb(pool);
  const all = tools ?? agentTools({ db, embedder: null });
  const answeredBy = { model: "test", label: "Test model" };
  const { graph, nodes } = compileGraph(
    "research",
    {
      model,
      tools: () => all,
      maxToolRounds: 8,
      modelTimeoutMs: 60_000,
      memory: { access: memoryAccess(db, null), budgetTokens: config().MEMORY_BUDGET_TOKENS },
      labels: { provider: "offline", model: "test" },
      answeredBy,
    },
    checkpointer,
  );
  return {
    id: "research",
    name: "Research",
    vision: false,
    choice: { provider: "offline", model: "test", label: "Test model" },
    answeredBy,
    nodes,
    model,
    graph,
    tools: all,
    checkpointer,
    embedder: null,
    unavailableTools: () => [],
  };
}
