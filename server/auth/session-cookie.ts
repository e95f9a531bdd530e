import type { Session } from "next-auth";
import { decode, getToken, type JWT } from "next-auth/jwt";
import type { DB } from "@/db/client";
import { config } from "@/server/config";
import { sessionIsLive } from "./sessions";

/** Decrypted session cookies this instance has seen, each kept until it expires. */
const MAX_CACHED = 10_000;
const cache = new Map<string, { session: Session; claims: JWT; expiresAt: number }>();

/** The keys Auth.js signs with: AUTH_SECRET, and the AUTH_SECRET_1..3 of a rotation, newest first. */
function secrets(): string[] {
  const env = config();
  return [env.AUTH_SECRET_3, env.AUTH_SECRET_2, env.AUTH_SECRET_1, env.AUTH_SECRET].filter((s): s is string => Boolean(s));
}

/**
 * The session of an API request, from its cookie header. Auth.js's `auth()` runs its whole session
 * endpoint for this: it decrypts the cookie, then encrypts a refreshed one that a route handler
 * never sends. Under load that made up most of a chat.send. This reads the same cookie with Auth.js's
 * own `getToken` (chunked cookies, the `__Secure-` name over HTTPS) and decrypts each distinct
 * cookie once. A cookie is immutable and signed, so its decryption can be reused until it expires;
 * whether its sign-in is still on (not signed out, not past its absolute end) is asked every time.
 */
export async function sessionFromCookies(db: DB, cookieHeader: string | null): Promise<Session | null> {
  if (!cookieHeader) return null;
  const req = { headers: { cookie: cookieHeader } };
  for (const [secureCookie, salt] of COOKIES) {
    const raw = await getToken({ req, raw: true, secureCookie });
    if (!raw) continue;
    const read = await decrypted(raw, salt);
    return read && (await sessionIsLive(db, read.claims)) ? read.session : null;
  }
  return null;
}

/** Auth.js's session cookie names; each is also the salt its contents are encrypted with. */
const COOKIES = [
  [true, "__Secure-authjs.session-token"],
  [false, "authjs.session-token"],
] as const;

async function decrypted(raw: string, salt: string): Promise<{ session: Session; claims: JWT } | null> {
  const hit = cache.get(raw);
  if (hit && hit.expiresAt > Date.now()) return hit;
  if (hit) cache.delete(raw);
  const secret = secrets();
  const token = secret.length ? await decode({ token: raw, secret, salt }).catch(() => null) : null;
  if (!token?.sub || typeof token.exp !== "number") return null;
  const user = { id: token.sub, name: token.name ?? null, email: token.email ?? null, image: token.picture ?? null };
  const sid = typeof token.sid === "string" ? token.sid : undefined;
  const session = { user, expires: new Date(token.exp * 1000).toISOString(), sid } as Session;
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  const read = { session, claims: token, expiresAt: token.exp * 1000 };
  cache.set(raw, read);
  return read;
}
