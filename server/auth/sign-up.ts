import type { DB } from "@/db/client";
import { assertAllowed, hit, signUpWindows } from "@/server/limits/rate-limit";
import type { SignUpInput } from "./credentials";
import { type CreateUserResult, createUser } from "./users";

/**
 * A new account from the sign-up form. Attempts are limited per email and per client address,
 * whatever their outcome, before the hash: each one tells whether an email is registered ("An
 * account with this email already exists"), so the per-address count bounds how fast one address
 * can look emails up. Throws RateLimited, or Unavailable when every hash slot is taken.
 */
export async function signUp(db: DB, input: SignUpInput, address: string): Promise<CreateUserResult> {
  const windows = signUpWindows();
  assertAllowed(
    await Promise.all([hit(db, `signup-email:${input.email.toLowerCase()}`, windows.email), hit(db, `signup-ip:${address}`, windows.address)]),
    "sign-up",
    (wait) => `Too many sign-up attempts. Try again in ${wait}.`,
  );
  return createUser(db, input);
}
