/** Next.js calls this once when a server instance starts. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || !process.env.DATABASE_URL) return;
  const { getDb } = await import("./db/client");
  const { getAgent } = await import("./server/agent");
  const { startRunWorkers } = await import("./server/runs/workers");
  startRunWorkers(getDb(), getAgent);
}
