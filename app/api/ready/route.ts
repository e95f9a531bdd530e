import { getPool } from "@/server/db";
import { readiness } from "@/server/health";

export const dynamic = "force-dynamic";

/** Readiness, for load balancers: 200 when this instance can serve, 503 (with which check failed) when not. */
export async function GET() {
  const result = await readiness(getPool());
  return Response.json(
    { status: result.ready ? "ready" : "not ready", checks: result.checks },
    { status: result.ready ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
