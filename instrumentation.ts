/** Next.js calls this once when a server instance starts; the work is Node-only (server/start-instance.ts). */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") await (await import("./server/start-instance")).startInstance();
}
