/** Liveness: the process is up and serving requests. No database, no auth. */
export function GET() {
  return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}
