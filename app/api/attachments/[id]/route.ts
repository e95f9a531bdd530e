import { attachmentResponse } from "@/server/attachments/http";
import { getDb } from "@/server/db";

export const dynamic = "force-dynamic";

export const GET = async (request: Request, { params }: { params: Promise<{ id: string }> }) => attachmentResponse(getDb(), request, (await params).id);
