import { getDb } from "@/db/client";
import { getAgent } from "@/server/agent";
import { logger } from "@/server/observability/log";
import { drain } from "@/server/runs/drain";
import { startRunWorkers } from "@/server/runs/workers";

/**
 * What a server instance starts (from instrumentation.ts, Node runtime only): tracing when
 * configured, the run workers, and, when `npm start` leaves signals to us (NEXT_MANUAL_SIG_HANDLE),
 * a shutdown in which answers in progress finish their current step and are handed to another
 * instance before the process exits.
 */
export async function startInstance() {
  // Traces only when there is somewhere to send them; otherwise the SDK is not even loaded.
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) (await import("./observability/start-tracing")).startTracing();
  if (!process.env.DATABASE_URL) return;
  const stopWorkers = startRunWorkers(getDb(), getAgent);
  if (!process.env.NEXT_MANUAL_SIG_HANDLE) return;
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger().info({ signal }, "shutting down: finishing the current step of running answers, then handing them over");
    await drain(getDb(), Number(process.env.DRAIN_TIMEOUT_MS ?? 20_000)).catch((err) => logger().error({ err }, "drain failed"));
    stopWorkers();
    process.exit(0);
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}
