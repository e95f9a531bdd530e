import { getDb } from "@/server/db";
import { chooseEmbedder } from "@/server/memory/embeddings";
import { McpServers } from "@/server/mcp/servers";
import { getCheckpointer } from "./checkpointer";
import { threadlineFile } from "./config-file";
import type { AgentGraph } from "./graph";
import { type AgentRegistry, createAgentRegistry } from "./registry";

export type { Agent } from "./assemble";
export type { AgentChoice, AgentInfo, AgentRegistry } from "./registry";

/** A thread's state as the graph reports it: values, the checkpoint's config, pending tasks. */
export type ThreadState = Awaited<ReturnType<AgentGraph["getState"]>>;

/** How often a connected MCP server is pinged, so one that died while idle is marked unavailable. */
const MCP_HEALTH_CHECK_MS = 30_000;

const cache = globalThis as unknown as { __threadlineAgents?: Promise<AgentRegistry>; __threadlineMcp?: McpServers | null };

/**
 * The server's agents: threadline.config.json's, or the built-in ones, checkpointed in the app's
 * Postgres. Its MCP servers connect here, once per instance, and every agent shares those
 * connections; each first attempt is bounded by the server's timeout, and a server that is down
 * leaves the others' tools working. Each agent × model is compiled on first use, then cached.
 */
export function getAgents(): Promise<AgentRegistry> {
  return (cache.__threadlineAgents ??= (async () => {
    const file = threadlineFile();
    const servers = file?.mcpServers.length ? McpServers.fromFile(file.mcpServers, file.secrets, { healthCheckMs: MCP_HEALTH_CHECK_MS }) : null;
    cache.__threadlineMcp = servers;
    const registry = createAgentRegistry(file, { db: getDb(), checkpointer: getCheckpointer(), embedder: chooseEmbedder(), servers });
    await servers?.started();
    // The default agent is made at start, so the first message does not wait for it.
    await registry.get();
    return registry;
  })());
}

/** On shutdown: stdio servers' processes end with us rather than linger. */
export async function closeMcpServers() {
  await cache.__threadlineMcp?.close();
}
