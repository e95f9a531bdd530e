import { CredentialsSignin } from "next-auth";
import type { DB } from "@/db/client";
import { RateLimited, Unavailable } from "@/server/errors";
import { assertAllowed, forget, hit, peek, signInFailureWindows, waitInWords } from "@/server/limits/rate-limit";
import type { SignInInput } from "./credentials";
import { SERVER_BUSY } from "./hash-slots";
import { type SignedInUser, verifyCredentials } from "./users";

/** A refused attempt, whose code the form turns into its message: how long to wait, or that the server is busy. */
class SignInRefused extends CredentialsSignin {
  constructor(code: string) {
    super();
    this.code = code;
  }
}

const tooMany = (wait: string) => `Too many sign-in attempts. Try again in ${wait}.`;

/** Each count its own prefix, and the pair as JSON: no email an attacker types can name another count's key. */
const keys = (email: string, address: string) => {
  const e = email.toLowerCase();
  return { emailAndAddress: `signin-fail-pair:${JSON.stringify([e, address])}`, email: `signin-fail-email:${e}`, address: `signin-fail-ip:${address}` };
};

/**
 * A password sign-in, limited by its failures (successes never count, so signing in often locks
 * no one out). Ten failures for one email from one address lock that email at that address only:
 * an attacker elsewhere cannot lock the owner out that way. A looser count per email across all
 * addresses holds guessing from many addresses, and one per address holds one address guessing
 * many emails. Counted in Postgres, so they hold across instances. Called from `authorize`, which
 * every credentials sign-in passes through, the form's and Auth.js's own endpoint alike.
 *
 * A success clears its email-and-address count (the owner who mistyped starts afresh), but not the
 * other two: an attacker could otherwise sign in to an account of their own to wipe their address's.
 */
export async function signInWithPassword(db: DB, input: SignInInput, address: string): Promise<SignedInUser | null> {
  const windows = signInFailureWindows();
  const key = keys(input.email, address);
  const limits = [
    [key.emailAndAddress, windows.emailAndAddress],
    [key.email, windows.email],
    [key.address, windows.address],
  ] as const;
  try {
    assertAllowed(await Promise.all(limits.map(([k, w]) => peek(db, k, w))), "sign-in", tooMany);
    const user = await verifyCredentials(db, input);
    if (user) await forget(db, key.emailAndAddress, windows.emailAndAddress);
    else await Promise.all(limits.map(([k, w]) => hit(db, k, w)));
    return user;
  } catch (err) {
    // Auth.js passes on only a CredentialsSignin's code: the form's message is made from it.
    if (err instanceof RateLimited) throw new SignInRefused(`rate_limited:${err.retryAfterSeconds}`);
    if (err instanceof Unavailable) throw new SignInRefused("busy");
    throw err;
  }
}

/** The form's message for a refused attempt, or null for any other failure (which reads as a wrong password). */
export function signInRefusalMessage(error: unknown): string | null {
  const code = (error as { code?: unknown }).code;
  if (code === "busy") return SERVER_BUSY;
  if (typeof code !== "string" || !code.startsWith("rate_limited:")) return null;
  return tooMany(waitInWords(Number(code.split(":")[1]) || 60));
}
