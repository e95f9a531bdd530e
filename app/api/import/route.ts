import { importResponse } from "@/server/transfer/http";

export const dynamic = "force-dynamic";

export const POST = (request: Request) => importResponse(request);
