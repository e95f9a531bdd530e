import { loadMcpTools } from "@langchain/mcp-adapters";
import { DynamicStructuredTool } from "@langchain/core/tools";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { McpServerSpec } from "@/server/agent/config-file";
import { logger } from "@/server/observability/log";
import { capResult, untrustedText } from "./results";
import type { TransportFactory } from "./transport";

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export interface ConnectionOptions {
  /** Waits between attempts to reconnect, doubling from initialMs up to maxMs. */
  backoff?: Backoff;
  /** How often a connected server is pinged, so one that died while idle is noticed. */
  healthCheckMs?: number;
}

export type ConnectionState = "connecting" | "up" | "down";

/** An MCP tool as the adapters load it, with the server's own name for it. */
export interface LoadedTool {
  tool: DynamicStructuredTool;
  /** The server's name for the tool; `tool.name` carries the server id in front of it. */
  mcpName: string;
  readOnly: boolean;
}

const DEFAULT_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 30_000 };

/**
 * One configured MCP server: connects at start, and again with backoff whenever the connection is
 * lost (the child exited, the connection closed, a ping failed). A failure is logged and recorded,
 * never thrown: the server's tools are then unavailable and the agent's others keep working. The
 * tools of the last listing stay known while the server is down, so their calls get a clear error.
 */
export class McpConnection {
  state: ConnectionState = "connecting";
  tools: LoadedTool[] = [];
  /** Why the last attempt or the connection failed, for the log and the header. */
  lastError: string | null = null;
  /** Settles when the first attempt has succeeded or failed. */
  readonly started: Promise<void>;
  private client: Client | null = null;
  private attempts = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private health: ReturnType<typeof setInterval> | null = null;
  private closed = false;
  private readonly backoff: Backoff;

  constructor(
    readonly spec: McpServerSpec,
    private readonly transport: TransportFactory,
    private readonly changed: () => void,
    private readonly options: ConnectionOptions = {},
  ) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.started = this.connect();
  }

  private async connect(): Promise<void> {
    this.retry = null;
    if (this.closed) return;
    const client = new Client({ name: "threadline", version: "1" });
    try {
      const transport = await this.transport();
      client.onclose = () => this.lost(client, "the connection closed");
      // Errors the transport reports on its own (a bad line on stdout, a dropped stream); a closed connection follows separately.
      client.onerror = (err) => logger().debug({ server: this.spec.id, reason: err.message }, "MCP transport error");
      const listed = await withTimeout(
        (async () => {
          await client.connect(transport, { timeout: this.spec.timeoutMs });
          return loadMcpTools(this.spec.id, client, {
            prefixToolNameWithServerName: true,
            defaultToolTimeout: this.spec.timeoutMs,
            throwOnLoadError: false,
            afterToolCall: ({ name, result }) => ({ result: capResult(this.spec, name, result[0]) }),
          });
        })(),
        this.spec.timeoutMs,
        "listing its tools",
      );
      if (this.closed) {
        await client.close().catch(() => undefined);
        return;
      }
      this.client = client;
      this.tools = listed.map((t) => this.guarded(t));
      this.state = "up";
      this.lastError = null;
      this.attempts = 0;
      logger().info({ server: this.spec.id, tools: this.tools.length }, "MCP server connected");
      this.watch();
      this.changed();
    } catch (err) {
      client.onclose = undefined;
      await client.close().catch(() => undefined);
      this.failed(err instanceof Error ? err.message : String(err));
    }
  }

  /** The adapters' tool, refusing to run while the server is down, and with its failures capped too. */
  private guarded(loaded: DynamicStructuredTool): LoadedTool {
    const mcpName = loaded.name.slice(this.spec.id.length + 2);
    const annotations = (loaded.metadata?.annotations ?? {}) as { readOnlyHint?: boolean };
    const tool = new DynamicStructuredTool({
      name: loaded.name,
      description: loaded.description,
      schema: loaded.schema,
      responseFormat: loaded.responseFormat,
      defaultConfig: loaded.defaultConfig,
      metadata: loaded.metadata,
      func: async (args, runManager, config) => {
        if (this.state !== "up") throw new Error(`The MCP server ${this.spec.id} is unavailable right now, so ${mcpName} did not run.`);
        try {
          return await loaded.func(args, runManager, config);
        } catch (err) {
          // A call that failed may mean the server is gone (HTTP has no connection to lose): look now.
          void this.check();
          throw new Error(untrustedText(this.spec, mcpName, err instanceof Error ? err.message : String(err), true));
        }
      },
    });
    return { tool, mcpName, readOnly: annotations.readOnlyHint === true };
  }

  private watch() {
    if (!this.options.healthCheckMs) return;
    this.health = setInterval(() => void this.check(), this.options.healthCheckMs);
    this.health.unref();
  }

  /** A ping within the call timeout; no answer means the connection is lost. */
  private async check() {
    const client = this.client;
    if (!client) return;
    try {
      await client.ping({ timeout: Math.min(this.spec.timeoutMs, 10_000) });
    } catch (err) {
      this.lost(client, `it did not answer a ping (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  private lost(client: Client, reason: string) {
    if (client !== this.client || this.closed) return;
    this.client = null;
    if (this.health) clearInterval(this.health);
    this.health = null;
    client.onclose = undefined;
    void client.close().catch(() => undefined);
    this.failed(reason);
  }

  private failed(reason: string) {
    this.state = "down";
    this.lastError = reason;
    const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.attempts);
    this.attempts++;
    logger().warn({ server: this.spec.id, reason, retryInMs: delay }, "MCP server unavailable; its tools are marked unavailable");
    this.changed();
    if (this.closed) return;
    this.retry = setTimeout(() => void this.connect(), delay);
    this.retry.unref();
  }

  async close() {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.health) clearInterval(this.health);
    const client = this.client;
    this.client = null;
    if (client) {
      client.onclose = undefined;
      await client.close().catch(() => undefined);
    }
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms while ${what}`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
