import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type pg from "pg";
import { createDb } from "../../db/client";
import type { Agent } from "../../server/agent";
import { createCheckpointer } from "../../server/agent/checkpointer";
import { buildAgentGraph } from "../../server/agent/graph";
import { createOfflineModel } from "../../server/agent/offline-model";
import { agentTools } from "../../server/agent/tools";

/** The real graph and Postgres checkpointer on a test database, with any model (the offline one by default). */
export function testAgent(
  pool: pg.Pool,
  model: BaseChatModel = createOfflineModel(0),
  opts: { provider?: Agent["choice"]["provider"]; retry?: Parameters<typeof buildAgentGraph>[0]["retry"] } = {},
): Agent {
  const checkpointer = createCheckpointer(pool);
  const tools = agentTools(createDb(pool));
  const graph = buildAgentGraph({
    model,
    tools,
    checkpointer,
    labels: { provider: opts.provider ?? "offline", model: "test" },
    ...(opts.retry && { retry: opts.retry }),
  });
  return { choice: { provider: opts.provider ?? "offline", model: "test", label: "Test model" }, model, graph, tools, checkpointer };
}
