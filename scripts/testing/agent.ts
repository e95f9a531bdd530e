import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type pg from "pg";
import { createDb } from "../../db/client";
import type { Agent } from "../../server/agent";
import { createCheckpointer } from "../../server/agent/checkpointer";
import { buildAgentGraph } from "../../server/agent/graph";
import { researchGraph } from "../../server/agent/graphs/research";
import { createOfflineModel } from "../../server/agent/offline-model";
import { agentTools } from "../../server/agent/tools";
import { config } from "../../server/config";
import { memoryAccess } from "../../server/memory";
import type { Embedder } from "../../server/memory/embeddings";

export interface TestAgentOptions {
  provider?: Agent["choice"]["provider"];
  retry?: Parameters<typeof buildAgentGraph>[0]["retry"];
  /** A fake embedder (see scripts/testing/embedder.ts); none by default, as with no EMBEDDINGS_PROVIDER. */
  embedder?: Embedder | null;
  contextBudget?: number;
  memoryBudget?: number;
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
  });
  return {
    choice: { provider: opts.provider ?? "offline", model: "test", label: "Test model" },
    model,
    graph,
    tools,
    checkpointer,
    embedder,
    unavailableTools: () => [],
  };
}

/**
 * The Research agent (server/agent/graphs/research.ts) over the real checkpointer, as the registry
 * will assemble it: its graph is built from the same context and compiled with Threadline's
 * checkpointer. `tools`: the built-in agent's by default.
 */
export function testResearchAgent(pool: pg.Pool, model: BaseChatModel = createOfflineModel(0), tools?: StructuredToolInterface[]): Agent {
  const checkpointer = createCheckpointer(pool);
  const db = createDb(pool);
  const all = tools ?? agentTools({ db, embedder: null });
  const graph = researchGraph
    .build({
      model,
      tools: () => all,
      maxToolRounds: 8,
      modelTimeoutMs: 60_000,
      memory: { access: memoryAccess(db, null), budgetTokens: config().MEMORY_BUDGET_TOKENS },
      labels: { provider: "offline", model: "test" },
    })
    .compile({ checkpointer });
  return {
    choice: { provider: "offline", model: "test", label: "Test model" },
    model,
    // The executor calls only what every compiled graph has (stream, getState, updateState).
    graph: graph as unknown as Agent["graph"],
    tools: all,
    checkpointer,
    embedder: null,
    unavailableTools: () => [],
  };
}
