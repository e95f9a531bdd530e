import { encode } from "next-auth/jwt";
import { startSession } from "../../server/auth/sessions";
import { attachmentResponse, uploadResponse } from "../../server/attachments/http";
import { config } from "../../server/config";
import type { TestDatabase } from "./database";

export { minimalPdf, TINY_PNG } from "./files";

/** A signed-in user's cookie header, as Auth.js issues it (with AUTH_SECRET), for the route handlers. */
export async function cookieFor(t: Pick<TestDatabase, "db">, userId: string): Promise<string> {
  const session = await startSession(t.db, userId);
  const token = await encode({ token: { sub: userId, ...session }, secret: config().AUTH_SECRET!, salt: "authjs.session-token" });
  return `authjs.session-token=${token}`;
}

/** POST /api/attachments, as the composer sends a file. */
export function upload(t: Pick<TestDatabase, "db">, cookie: string | null, name: string, body: BodyInit, headers: Record<string, string> = {}) {
  const req = new Request(`http://localhost/api/attachments?name=${encodeURIComponent(name)}`, {
    method: "POST",
    body,
    headers: { ...(cookie && { cookie }), ...headers },
    duplex: "half",
  } as RequestInit);
  return uploadResponse(t.db as never, req);
}

/** Uploads and returns the stored reference, failing loudly if the upload is refused. */
export async function uploaded(t: Pick<TestDatabase, "db">, cookie: string, name: string, bytes: Uint8Array | string) {
  const res = await upload(t, cookie, name, typeof bytes === "string" ? bytes : new Uint8Array(bytes));
  const body = (await res.json()) as { attachment?: { id: string; name: string; kind: string; mediaType: string; size: number }; error?: string };
  if (res.status !== 201 || !body.attachment) throw new Error(`upload of ${name} refused: ${res.status} ${body.error}`);
  return body.attachment;
}

/** GET /api/attachments/<id>. */
export const fetchAttachment = (t: Pick<TestDatabase, "db">, cookie: string | null, id: string) =>
  attachmentResponse(t.db as never, new Request(`http://localhost/api/attachments/${id}`, { headers: cookie ? { cookie } : {} }), id);
