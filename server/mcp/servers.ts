import type { McpServerSpec } from "@/server/agent/config-file";
import { type ConnectionOptions, McpConnection } from "./connection";
import { type TransportFactory, transportFor } from "./transport";

/**
 * Every MCP server of the file, each with its own connection: one down never holds up another.
 * `version` moves whenever a server's state or tools change, so agents rebuild their tool lists
 * only then.
 */
export class McpServers {
  version = 0;
  private readonly connections = new Map<string, McpConnection>();

  constructor(specs: McpServerSpec[], transports: (spec: McpServerSpec) => TransportFactory, options: ConnectionOptions = {}) {
    for (const spec of specs) this.connections.set(spec.id, new McpConnection(spec, transports(spec), () => this.version++, options));
  }

  /** The servers of a file, over their real transports (stdio, Streamable HTTP). */
  static fromFile(specs: McpServerSpec[], secrets: Record<string, string>, options?: ConnectionOptions) {
    return new McpServers(specs, (spec) => transportFor(spec, secrets), options);
  }

  static none() {
    return new McpServers([], () => () => Promise.reject(new Error("no MCP servers are configured")));
  }

  get(id: string): McpConnection | undefined {
    return this.connections.get(id);
  }

  /** Every server's first attempt has connected or failed (each is bounded by its timeout). */
  async started() {
    await Promise.all([...this.connections.values()].map((c) => c.started));
  }

  async close() {
    await Promise.all([...this.connections.values()].map((c) => c.close()));
  }
}
