import { config } from "@/server/config";
import { vouched } from "./front-door.mjs";

/** The largest tRPC request body accepted: far above any valid input (a message is at most 32,000 characters). */
export const maxBodyBytes = () => config().TRPC_MAX_BODY_BYTES;

/** The most procedures one request may call: a batch is one request, but each call in it is a request's work. */
export const maxBatchSize = () => config().TRPC_MAX_BATCH_SIZE;

/** A refusal in tRPC's error shape, so clients read it like any other error. */
function refuse(status: number, code: string, message: string) {
  return Response.json({ error: { json: { message, code: -32600, data: { code, httpStatus: status } } } }, { status });
}

/**
 * Checks a tRPC request before it is parsed. Mutations and subscriptions from another site are
 * refused (the browser's Origin, or Sec-Fetch-Site, names it), in addition to SameSite cookies;
 * form posts (multipart) are refused, since tRPC speaks JSON; bodies over the cap get a 413 and are
 * not read past it; a batch of more than TRPC_MAX_BATCH_SIZE calls (queries over GET included)
 * gets a 400 before any of them runs. Returns the request to handle (its body read and checked) or
 * the refusal.
 */
export async function guardTrpcRequest(req: Request): Promise<Request | Response> {
  if (isCrossSite(req)) return refuse(403, "FORBIDDEN", "Cross-site requests are not allowed");
  const calls = batchSize(new URL(req.url));
  if (calls > maxBatchSize()) return refuse(400, "BAD_REQUEST", `Too many calls in one request (${calls}; at most ${maxBatchSize()})`);
  if (req.method !== "POST") return req;

  if ((req.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data")) {
    return refuse(415, "UNSUPPORTED_MEDIA_TYPE", "Form uploads are not accepted here");
  }
  const limit = maxBodyBytes();
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > limit) return refuse(413, "PAYLOAD_TOO_LARGE", `The request is too large (limit ${Math.round(limit / 1024)} KB)`);
  const body = await readAtMost(req, limit);
  if (body === null) return refuse(413, "PAYLOAD_TOO_LARGE", `The request is too large (limit ${Math.round(limit / 1024)} KB)`);
  return new Request(req, { body: body as BodyInit, headers: req.headers, method: req.method });
}

/** Sent from another site: the browser's Origin, or Sec-Fetch-Site, names it. */
export function isCrossSite(req: Request): boolean {
  const origin = req.headers.get("origin");
  return req.headers.get("sec-fetch-site") === "cross-site" || (origin !== null && (origin === "null" || safeHost(origin) !== siteHost(req)));
}

/**
 * The host this site answers as: AUTH_URL's when set, and nothing else; otherwise the request's.
 * X-Forwarded-Host counts only when the front door let it through (from a trusted proxy hop).
 */
function siteHost(req: Request): string {
  const pinned = config().AUTH_URL;
  if (pinned) return new URL(pinned).host;
  const forwarded = vouched(req.headers) ? req.headers.get("x-forwarded-host") : null;
  return forwarded ?? req.headers.get("host") ?? new URL(req.url).host;
}

/** How many procedures the request calls, split as tRPC's adapter splits them: `/api/trpc/a,b?batch=1` is 2. */
function batchSize(url: URL): number {
  if (url.searchParams.get("batch") !== "1") return 1;
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // tRPC refuses a path it cannot decode, with a 400 of its own.
  }
  return path.split(",").length;
}

function safeHost(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return "";
  }
}

/** The body, or null once it passes `limit` bytes: a body without a Content-Length is capped too. */
export async function readAtMost(req: Request, limit: number): Promise<Uint8Array | null> {
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
