import type { DB } from "@/db/client";
import { isDatabaseUnavailable } from "@/db/client";
import { tooLarge } from "@/lib/attachments";
import { sessionFromCookies } from "@/server/auth/session-cookie";
import { config } from "@/server/config";
import { DomainError, RateLimited } from "@/server/errors";
import { assertUploadAllowed } from "@/server/limits/rate-limit";
import { logger } from "@/server/observability/log";
import { isCrossSite, readAtMost } from "@/server/security/request-guard";
import { ATTACHMENT_NOT_FOUND, canRead, saveAttachment } from "./store";

const json = (status: number, body: unknown) => Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
const refuse = (status: number, error: string) => json(status, { error });

async function viewerOf(db: DB, req: Request): Promise<string | null> {
  const session = await sessionFromCookies(db, req.headers.get("cookie"));
  return session?.user?.id ?? null;
}

/** Whatever went wrong, the user reads a sentence, never a stack trace. */
function failure(err: unknown): Response {
  if (err instanceof RateLimited) {
    const res = refuse(429, err.message);
    res.headers.set("Retry-After", String(err.retryAfterSeconds));
    return res;
  }
  if (err instanceof DomainError) return refuse(err.kind === "not-found" ? 404 : 400, err.message);
  if (isDatabaseUnavailable(err)) return refuse(503, "The database is unavailable. Try again in a moment.");
  logger().error({ err }, "attachment request failed");
  return refuse(500, "Something went wrong with this file.");
}

/**
 * POST /api/attachments?name=<file name>, the file's bytes as the body. The body is read only up to
 * ATTACHMENT_MAX_BYTES (a larger one is refused with 413 and not read further); the file is then
 * checked by its bytes and stored. Answers the file's reference, which a message then sends.
 */
export async function uploadResponse(db: DB, req: Request): Promise<Response> {
  try {
    if (isCrossSite(req)) return refuse(403, "Cross-site requests are not allowed");
    const userId = await viewerOf(db, req);
    if (!userId) return refuse(401, "Sign in to attach files");
    const name = new URL(req.url).searchParams.get("name") ?? "";
    if (!name.trim()) return refuse(400, "The file has no name");
    await assertUploadAllowed(db, userId);
    const max = config().ATTACHMENT_MAX_BYTES;
    if (Number(req.headers.get("content-length") ?? NaN) > max) return refuse(413, tooLarge(name, max));
    const bytes = await readAtMost(req, max);
    if (bytes === null) return refuse(413, tooLarge(name, max));
    return json(201, { attachment: await saveAttachment(db, userId, { name, bytes }) });
  } catch (err) {
    return failure(err);
  }
}

/** For Content-Disposition: an ASCII fallback and the exact name (RFC 6266). */
function disposition(type: "inline" | "attachment", name: string) {
  const ascii = name.replace(/[^\w.\- ()]/g, "_");
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * GET /api/attachments/<id>: the file, to whoever `canRead` allows; anyone else gets the same 404
 * as for a file that does not exist. Images go inline as their sniffed type; everything else is a
 * download as text/plain or application/octet-stream, so nothing uploaded can run as a page here.
 */
export async function attachmentResponse(db: DB, req: Request, id: string): Promise<Response> {
  try {
    const row = await canRead(db, id, { userId: await viewerOf(db, req), shareId: new URL(req.url).searchParams.get("share") });
    if (!row) return refuse(404, ATTACHMENT_NOT_FOUND);
    const image = row.kind === "image";
    const type = image ? row.mediaType : row.mediaType.startsWith("text/") ? "text/plain; charset=utf-8" : "application/octet-stream";
    return new Response(new Uint8Array(row.data), {
      headers: {
        "Content-Type": type,
        "Content-Length": String(row.data.byteLength),
        "Content-Disposition": disposition(image ? "inline" : "attachment", row.name),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Cache-Control": "private, max-age=3600",
      },
    });
  } catch (err) {
    return failure(err);
  }
}
