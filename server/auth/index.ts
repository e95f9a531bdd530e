import "server-only";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import NextAuth, { type AuthError } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import { getDb } from "@/server/db";
import { accounts, sessions, users, verificationTokens } from "@/db/schema";
import { logger } from "@/server/observability/log";
import { authConfig } from "./config";
import { signInSchema } from "./credentials";
import { endSession, sessionIsLive, startSession } from "./sessions";
import { signInWithPassword } from "./sign-in-limit";
import { clientAddress } from "@/server/security/client-address";
import { config } from "@/server/config";

export const githubEnabled = () => Boolean(config().AUTH_GITHUB_ID && config().AUTH_GITHUB_SECRET);

// Lazy so that importing this module (e.g. during `next build`) needs no database.
export const { handlers, auth, signIn, signOut } = NextAuth(() => {
  const db = getDb();
  return {
    ...authConfig,
    session: { ...authConfig.session, maxAge: config().SESSION_MAX_AGE_SECONDS },
    callbacks: {
      ...authConfig.callbacks,
      // A sign-in gets a session row; every later read checks that the row is still on. Returning
      // null ends the session: Auth.js clears the cookie, and auth() reports signed out.
      async jwt({ token, user }) {
        if (user?.id) return { ...token, ...(await startSession(db, user.id)) };
        return (await sessionIsLive(db, token)) ? token : null;
      },
    },
    events: {
      async signOut(message) {
        const sid = "token" in message ? message.token?.sid : undefined;
        if (typeof sid === "string") await endSession(db, sid);
      },
    },
    logger: {
      // A wrong password is an everyday event the form already reports, not a server error with a stack.
      error(error) {
        if ((error as AuthError).type !== "CredentialsSignin") logger().error({ type: (error as AuthError).type ?? error.name, err: error }, "auth error");
      },
    },
    adapter: DrizzleAdapter(db, {
      usersTable: users,
      accountsTable: accounts,
      sessionsTable: sessions,
      verificationTokensTable: verificationTokens,
    }),
    providers: [
      Credentials({
        credentials: { email: {}, password: {} },
        async authorize(raw, request) {
          const parsed = signInSchema.safeParse(raw);
          if (!parsed.success) return null;
          return signInWithPassword(db, parsed.data, clientAddress(request));
        },
      }),
      // Reads AUTH_GITHUB_ID / AUTH_GITHUB_SECRET itself.
      ...(githubEnabled() ? [GitHub] : []),
    ],
  };
});
