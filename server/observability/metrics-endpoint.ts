import { timingSafeEqual } from "node:crypto";
import { localRunIds } from "@/server/runs/registry";
import { metrics } from "./metrics";
import { config } from "@/server/config";

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * GET /api/metrics: Prometheus text for a scraper holding METRICS_TOKEN as a bearer token. With no
 * token configured the endpoint does not exist (404), so nothing is exposed by default.
 */
export async function metricsResponse(request: Request): Promise<Response> {
  const token = config().METRICS_TOKEN;
  if (!token) return new Response("Not found", { status: 404 });
  const given = /^Bearer (.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
  if (!same(given, token)) return new Response("Unauthorized", { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="metrics"' } });
  const m = metrics();
  m.activeRuns.set(localRunIds().length);
  return new Response(await m.registry.metrics(), { headers: { "Content-Type": m.registry.contentType, "Cache-Control": "no-store" } });
}
