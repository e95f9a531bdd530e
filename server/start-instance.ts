import "server-only";
import { ConfigError, config } from "@/server/config";
import { getDb, getPool } from "@/server/db";
import { poolerLimitMismatches } from "@/server/pooler";
import { closeMcpServers, getAgents } from "@/server/agent";
import { checkAgentGraphs } from "@/server/agent/registry";
import { ConfigFileError, threadlineFile } from "@/server/agent/config-file";
import { logger } from "@/server/observability/log";
import { drain } from "@/server/runs/lifecycle";
import { getCheckpointer } from "@/server/agent/checkpointer";
import { backfillSearch } from "@/server/search/backfill";
import { startRunWorkers } from "@/server/runs/workers";
import { frontDoorInstalled } from "@/server/security/front-door.mjs";

/**
 * What a server instance starts (from instrumentation.ts, Node runtime only): the checked
 * configuration, a warning when the front door is missing (or the limits through a pooler are not the settings'), tracing when configured, the run
 * workers, indexing for search the conversations older than search (in the background), and, when `npm start` leaves signals to us (NEXT_MANUAL_SIG_HANDLE), a shutdown in which
 * answers in progress finish their current step and are handed to another instance before the
 * process exits.
 */
export async function startInstance() {
  const settings = checkedConfig();
  if (!frontDoorInstalled()) {
    logger().warn("started without the front door (start with npm start): client addresses are unknown, so every client shares one sign-in limit");
  }
  // Traces only when there is somewhere to send them; otherwise the SDK is not even loaded.
  if (settings.OTEL_EXPORTER_OTLP_ENDPOINT) (await import("./observability/start-tracing")).startTracing();
  if (!settings.DATABASE_URL) return;
  if (settings.DATABASE_DIRECT_URL) {
    void poolerLimitMismatches(getPool(), settings)
      .then((lines) => lines.forEach((line) => logger().warn(line)))
      .catch((err) => logger().error({ err }, "could not read the limits through the pooler"));
  }
  // The agent, and its MCP servers' connections, are made at start rather than by the first message.
  void getAgents().catch((err) => logger().error({ err }, "could not make the agents"));
  const stopWorkers = startRunWorkers(getDb(), getAgents);
  void backfillSearch(getDb(), getCheckpointer())
    .then((threads) => threads && logger().info({ threads }, "indexed older conversations for search"))
    .catch((err) => logger().error({ err }, "could not index older conversations for search"));
  if (!settings.NEXT_MANUAL_SIG_HANDLE) return;
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger().info({ signal }, "shutting down: finishing the current step of running answers, then handing them over");
    await drain(settings.DRAIN_TIMEOUT_MS).catch((err) => logger().error({ err }, "drain failed"));
    stopWorkers();
    await closeMcpServers().catch(() => undefined);
    process.exit(0);
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

/** A server started with a bad setting stops at once, with the line that says which and why. */
function checkedConfig() {
  try {
    const settings = config();
    checkAgentGraphs(threadlineFile());
    return settings;
  } catch (err) {
    if (!(err instanceof ConfigError) && !(err instanceof ConfigFileError)) throw err;
    console.error(`[threadline] ${err.message}`);
    process.exit(1);
  }
}
