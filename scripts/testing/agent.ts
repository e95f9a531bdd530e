import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type pg from "pg";
import { createDb } from "../../db/client";
import type { Agent } from "../../server/agent";
import { createCheckpointer } from "../../server/agent/checkpointer";
import { buildAgentGraph } from "../../server/agent/graph";
import { createOfflineModel } from "../../server/agent/offline-model";
import { agentTools } from "../../server/agent/tools";
import { config } from "../../server/config";
import { memoryAccess } from "../../server/memory";
import { attachmentContents } from "../../server/attachments/store";
import type { Embedder } from "../../server/memory/embeddings";

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
    choice: { provider: opts.provider ?? "offline", model: "test", label: "Test model" },
    model,
    graph,
    tools,
    checkpointer,
    embedder,
    unavailableTools: () => [],
    vision: opts.vision ?? false,
  };
}
