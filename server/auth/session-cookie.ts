import type { Session } from "next-auth";
import { decode, getToken } from "next-auth/jwt";
import { config } from "@/server/config";

/** Decrypted session cookies this instance has seen, each kept until it expires. */
const MAX_CACHED = 10_000;
const cache = new Map<string, { session: Session; expiresAt: number }>();

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
 * a session never outlives its `exp`.
 */
export async function sessionFromCookies(cookieHeader: string | null): Promise<Session | null> {
  if (!cookieHeader) return null;
  const req = { headers: { cookie: cookieHeader } };
  for (const [secureCookie, salt] of COOKIES) {
    const raw = await getToken({ req, raw: true, secureCookie });
    if (raw) return sessionOf(raw, salt);
  }
  return null;
}

/** Auth.js's session cookie names; each is also the salt its contents are encrypted with. */
const COOKIES = [
  [true, "__Secure-authjs.session-token"],
  [false, "authjs.session-token"],
] as const;

async function sessionOf(raw: string, salt: string): Promise<Session | null> {
  const hit = cache.get(raw);
  if (hit && hit.expiresAt > Date.now()) return hit.session;
  if (hit) cache.delete(raw);
  const secret = secrets();
  const token = secret.length ? await decode({ token: raw, secret, salt }).catch(() => null) : null;
  if (!token?.sub || typeof token.exp !== "number") return null;
  const user = { id: token.sub, name: token.name ?? null, email: token.email ?? null, image: token.picture ?? null };
  const session = { user, expires: new Date(token.exp * 1000).toISOString() } as Session;
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(raw, { session, expiresAt: token.exp * 1000 });
  return session;
}
