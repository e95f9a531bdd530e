import { metricsResponse } from "@/server/observability/metrics-endpoint";

export const dynamic = "force-dynamic";

export const GET = (request: Request) => metricsResponse(request);
