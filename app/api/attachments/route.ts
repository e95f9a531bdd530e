import { uploadResponse } from "@/server/attachments/http";
import { getDb } from "@/server/db";

export const dynamic = "force-dynamic";

export const POST = (request: Request) => uploadResponse(getDb(), request);
