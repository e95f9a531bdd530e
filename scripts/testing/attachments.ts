import { encode } from "next-auth/jwt";
import { startSession } from "../../server/auth/sessions";
import { attachmentResponse, uploadResponse } from "../../server/attachments/http";
import { config } from "../../server/config";
import type { TestDatabase } from "./database";

/** A 1×1 PNG, as a browser would upload it. */
export const TINY_PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

/** The smallest valid PDF with one page of `text` (Helvetica), its cross-reference table exact. */
export function minimalPdf(text: string): Buffer {
  const stream = `BT /F1 24 Tf 72 720 Td (${text.replace(/[()\\]/g, "\\$&")}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

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
