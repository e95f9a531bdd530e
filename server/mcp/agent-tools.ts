import { DynamicStructuredTool, type StructuredToolInterface } from "@langchain/core/tools";
import { type AgentSpec, type ApprovalPolicy, parseToolRef } from "@/server/agent/config-file";
import { metadataOf } from "@/server/agent/tools/metadata";
import type { ToolSource } from "@/server/agent/tools";
import type { LoadedTool, McpConnection } from "./connection";
import type { McpServers } from "./servers";

/** A tool with more said of it (approval, availability), running exactly as before. */
function withMetadata(t: StructuredToolInterface, extra: Record<string, unknown>): StructuredToolInterface {
  const d = t as DynamicStructuredTool;
  return new DynamicStructuredTool({
    name: d.name,
    description: d.description,
    schema: d.schema,
    func: d.func,
    responseFormat: d.responseFormat,
    defaultConfig: d.defaultConfig,
    metadata: { ...metadataOf(t), ...extra },
  });
}

/**
 * The policy for one MCP tool: its own entry, else its server's `mcp:<server>/*`, else `always`.
 * `auto` waits for approval unless the server is trusted and the tool declares itself read-only.
 */
export function mcpNeedsApproval(approval: AgentSpec["approval"], server: McpConnection, loaded: Pick<LoadedTool, "mcpName" | "readOnly">): boolean {
  const policy: ApprovalPolicy = approval[`mcp:${server.spec.id}/${loaded.mcpName}`] ?? approval[`mcp:${server.spec.id}/*`] ?? "always";
  if (policy === "always") return true;
  if (policy === "never") return false;
  return !(server.spec.trusted && loaded.readOnly);
}

export interface AgentTools {
  source: ToolSource;
  /** The agent's MCP tools that cannot run right now, as `<server>/<tool>` (`<server>/*` when its tools were never listed). */
  unavailable(): string[];
}

/**
 * An agent's tools from its `tools` list: the built-ins it names (plus those it always has, such
 * as memory's, in `always`), then each MCP tool it names, carrying the approval its policy gives.
 */
export function agentTools(
  spec: Pick<AgentSpec, "tools" | "approval">,
  builtIns: StructuredToolInterface[],
  always: StructuredToolInterface[],
  servers: McpServers,
): AgentTools {
  const refs = spec.tools.map(parseToolRef).filter((r) => r !== null);
  const named = builtIns
    .filter((t) => refs.some((r) => r.kind === "built-in" && r.name === t.name))
    .map((t) => (spec.approval[t.name] === "always" ? withMetadata(t, { requiresApproval: true }) : t));
  const base = [...named, ...always];
  const serverIds = [...new Set(refs.flatMap((r) => (r.kind === "mcp" ? [r.server] : [])))];
  const wanted = (server: string, tool: string) => refs.some((r) => r.kind === "mcp" && r.server === server && (r.tool === "*" || r.tool === tool));

  let cached: { version: number; tools: StructuredToolInterface[] } | null = null;
  const source: ToolSource = () => {
    if (cached?.version === servers.version) return cached.tools;
    const version = servers.version;
    const mcp = serverIds.flatMap((id) => {
      const server = servers.get(id);
      if (!server) return [];
      return server.tools
        .filter((loaded) => wanted(id, loaded.mcpName))
        .map((loaded) =>
          withMetadata(loaded.tool, {
            requiresApproval: mcpNeedsApproval(spec.approval, server, loaded),
            ...(server.state !== "up" && { unavailable: true }),
          }),
        );
    });
    cached = { version, tools: [...base, ...mcp] };
    return cached.tools;
  };

  const unavailable = () =>
    serverIds.flatMap((id) => {
      const server = servers.get(id);
      const exact = refs.flatMap((r) => (r.kind === "mcp" && r.server === id && r.tool !== "*" ? [r.tool] : []));
      const all = refs.some((r) => r.kind === "mcp" && r.server === id && r.tool === "*");
      if (!server || server.state !== "up") {
        const known = server?.tools.filter((t) => wanted(id, t.mcpName)).map((t) => `${id}/${t.mcpName}`) ?? [];
        return known.length ? known : [...(all ? [`${id}/*`] : []), ...exact.map((t) => `${id}/${t}`)];
      }
      // Up, but without a tool the agent names: that one is unavailable too.
      return exact.filter((t) => !server.tools.some((l) => l.mcpName === t)).map((t) => `${id}/${t}`);
    });

  return { source, unavailable };
}
