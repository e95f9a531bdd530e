/** Next.js calls this once when a server instance starts. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // Traces only when there is somewhere to send them; otherwise the SDK is not even loaded.
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) (await import("./server/observability/start-tracing")).startTracing();
  if (!process.env.DATABASE_URL) return;
  const { getDb } = await import("./db/client");
  const { getAgent } = await import("./server/agent");
  const { startRunWorkers } = await import("./server/runs/workers");
  const { drain } = await import("./server/runs/drain");
  const { logger } = await import("./server/observability/log");
  const stopWorkers = startRunWorkers(getDb(), getAgent);

  // With NEXT_MANUAL_SIG_HANDLE set (npm start sets it), Next leaves shutdown to us: answers in
  // progress finish their current step and are handed to another instance before the process exits.
  if (process.env.NEXT_MANUAL_SIG_HANDLE) {
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
}
