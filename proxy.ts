import NextAuth from "next-auth";
import { type NextFetchEvent, type NextRequest, NextResponse } from "next/server";
import { authConfig } from "@/server/auth/config";
import { contentSecurityPolicy, newNonce } from "@/server/security/csp";

const { auth } = NextAuth(authConfig);
const authorize = auth as unknown as (request: NextRequest, event: NextFetchEvent) => Promise<Response>;

/**
 * Every page request: signed-out visitors go to /sign-in (the `authorized` callback decides), and
 * each response gets a Content-Security-Policy with a fresh nonce, which Next reads from the request
 * and puts on its own scripts. API routes answer for themselves (tRPC returns UNAUTHORIZED).
 */
export default async function proxy(request: NextRequest, event: NextFetchEvent) {
  const nonce = newNonce();
  const csp = contentSecurityPolicy(nonce);
  const response = await authorize(request, event);
  if (!response.headers.get("x-middleware-next")) {
    response.headers.set("Content-Security-Policy", csp);
    return response; // a redirect
  }
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("Content-Security-Policy", csp);
  const next = NextResponse.next({ request: { headers } });
  next.headers.set("Content-Security-Policy", csp);
  for (const cookie of response.headers.getSetCookie()) next.headers.append("set-cookie", cookie);
  return next;
}

export const config = {
  matcher: ["/((?!api|_next/static|_next/image|favicon.ico|.*\\.(?:png|svg|ico)$).*)"],
};
