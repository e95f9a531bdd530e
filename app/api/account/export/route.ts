import { exportAccountResponse } from "@/server/transfer/http";

export const dynamic = "force-dynamic";

export const GET = (request: Request) => exportAccountResponse(request);
