import { exportConversationResponse } from "@/server/transfer/http";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ threadId: string }> }) {
  return exportConversationResponse(request, (await params).threadId);
}
