import type { DefaultSession, NextAuthConfig } from "next-auth";

declare module "next-auth" {
  interface Session {
    user: { id: string } & DefaultSession["user"];
  }
}

export const AUTH_PAGES = ["/sign-in", "/sign-up"];

/** The part of the Auth.js config that needs no database: shared by proxy.ts and the full setup. */
export const authConfig = {
  pages: { signIn: "/sign-in" },
  // Credentials sign-in only works with JWT sessions.
  session: { strategy: "jwt" },
  // Behind a load balancer the Host header names the public site; AUTH_URL pins it when set.
  trustHost: true,
  providers: [],
  callbacks: {
    authorized({ auth, request }) {
      const signedIn = Boolean(auth?.user);
      if (AUTH_PAGES.includes(request.nextUrl.pathname)) {
        return signedIn ? Response.redirect(new URL("/", request.nextUrl)) : true;
      }
      return signedIn;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
} satisfies NextAuthConfig;
