import NextAuth from "next-auth";
import { authConfig } from "@/server/auth/config";

const { auth } = NextAuth(authConfig);

// Signed-out visitors of app pages go to /sign-in (the `authorized` callback decides).
// API routes answer for themselves: tRPC returns UNAUTHORIZED rather than a redirect.
export default auth;

export const config = {
  matcher: ["/((?!api|_next/static|_next/image|favicon.ico|.*\\.(?:png|svg|ico)$).*)"],
};
