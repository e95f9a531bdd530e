import { getDb } from "@/server/db";
import { chooseEmbedder } from "@/server/memory/embeddings";
import { McpServers } from "@/server/mcp/servers";
import { type Agent, assembleAgent } from "./assemble";
import { getCheckpointer } from "./checkpointer";
import { threadlineFile } from "./config-file";
import type { AgentGraph } from "./graph";

export type { Agent } from "./assemble";

/** A thread's state as the graph reports it: values, the checkpoint's config, pending tasks. */
export type ThreadState = Awaited<ReturnType<AgentGraph["getState"]>>;

/** How often a connected MCP server is pinged, so one that died while idle is marked unavailable. */
const MCP_HEALTH_CHECK_MS = 30_000;

const cache = globalThis as unknown as { __threadlineAgent?: Promise<Agent>; __threadlineMcp?: McpServers | null };

/**
 * The server's agent: threadline.config.json's default agent, or the built-in one, checkpointed in
 * the app's Postgres. Its MCP servers connect here, once per instance; each first attempt is
 * bounded by the server's timeout, and a server that is down leaves the others' tools working.
 */
export function getAgent(): Promise<Agent> {
  return (cache.__threadlineAgent ??= (async () => {
    const file = threadlineFile();
    const servers = file?.mcpServers.length ? McpServers.fromFile(file.mcpServers, file.secrets, { healthCheckMs: MCP_HEALTH_CHECK_MS }) : null;
    cache.__threadlineMcp = servers;
    await servers?.started();
    return assembleAgent({ file, db: getDb(), checkpointer: getCheckpointer(), embedder: chooseEmbedder(), servers });
  })());
}

/** On shutdown: stdio servers' processes end with us rather than linger. */
export async function closeMcpServers() {
  await cache.__threadlineMcp?.close();
}
