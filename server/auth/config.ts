import type { DefaultSession, NextAuthConfig } from "next-auth";
import { safeCallbackPath } from "./redirect";

declare module "next-auth" {
  interface Session {
    user: { id: string } & DefaultSession["user"];
    /** The API's sessions only (session-cookie.ts): the user_sessions row, so that a password change can keep this one. */
    sid?: string;
  }
}

export const AUTH_PAGES = ["/sign-in", "/sign-up"];

/** Pages anyone may open, signed in or not: shared conversations (their id is the secret). */
export const isPublicPage = (pathname: string) => pathname.startsWith("/share/");

/** The part of the Auth.js config that needs no database: shared by proxy.ts and the full setup. */
export const authConfig = {
  pages: { signIn: "/sign-in" },
  // Credentials sign-in only works with JWT sessions.
  session: { strategy: "jwt" },
  // Behind a load balancer the Host header names the public site; AUTH_URL pins it when set.
  trustHost: true,
  providers: [],
  callbacks: {
    // Every redirect Auth.js makes (after sign-in, sign-out, or from ?callbackUrl=) stays on this site.
    redirect({ url, baseUrl }) {
      return new URL(safeCallbackPath(url, baseUrl), baseUrl).href;
    },
    // Only a first gate: the proxy reads the cookie but cannot tell an ended session from a live
    // one, so the sign-in pages stay open to any cookie (their layout sends the signed-in home)
    // and every page and procedure checks the session again (server/auth/sessions.ts).
    authorized({ auth, request }) {
      return AUTH_PAGES.includes(request.nextUrl.pathname) || isPublicPage(request.nextUrl.pathname) || Boolean(auth?.user);
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
} satisfies NextAuthConfig;
