import { CredentialsSignin } from "next-auth";
import type { DB } from "@/db/client";
import { hit, signInWindows, waitInWords } from "@/server/limits/rate-limit";
import { metrics } from "@/server/observability/metrics";
import { clientAddress } from "@/server/security/client-address";

/** Too many attempts: the code carries how long to wait, for the form's message. */
class SignInLimited extends CredentialsSignin {
  constructor(retryAfterSeconds: number) {
    super();
    this.code = `rate_limited:${retryAfterSeconds}`;
  }
}

/**
 * Sign-in attempts are limited per email address and per client address, counted in Postgres so
 * the limit holds across instances. Checked in `authorize`, which every credentials sign-in passes
 * through, the form's and Auth.js's own endpoint alike.
 */
export async function assertSignInAllowed(db: DB, email: string, request: Request | undefined) {
  const windows = signInWindows();
  const [byEmail, byAddress] = await Promise.all([
    hit(db, `signin-email:${email.toLowerCase()}`, windows.email),
    hit(db, `signin-ip:${clientAddress(request)}`, windows.ip),
  ]);
  const waits = [byEmail, byAddress].flatMap((v) => (v.ok ? [] : [v.retryAfterSeconds]));
  if (waits.length) {
    metrics().rateLimited.inc({ limit: "sign-in" });
    throw new SignInLimited(Math.max(...waits));
  }
}

/** The form's message for a limited attempt, or null for any other failure. */
export function signInLimitMessage(error: unknown): string | null {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string" || !code.startsWith("rate_limited:")) return null;
  return `Too many sign-in attempts. Try again in ${waitInWords(Number(code.split(":")[1]) || 60)}.`;
}
