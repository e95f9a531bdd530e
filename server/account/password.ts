import { eq } from "drizzle-orm";
import type { DB } from "@/db/client";
import { users } from "@/db/schema";
import { endAllSessions } from "@/server/auth/sessions";
import { hashPassword, passwordMatches } from "@/server/auth/users";
import { Invalid } from "@/server/errors";
import { assertAllowed, hit, peek, signInFailureWindows } from "@/server/limits/rate-limit";

export const WRONG_CURRENT_PASSWORD = "Your current password is not right";
export const NO_PASSWORD = "Your account signs in through another provider and has no password to change";

const tooMany = (wait: string) => `Too many wrong passwords. Try again in ${wait}.`;

/**
 * Changes the user's password once the current one is given. Wrong current passwords are limited
 * as failed sign-ins are, per user (SIGNIN_FAILURES_PER_EMAIL_IP in 15 minutes): a stolen session
 * cannot guess the password through this form faster than through the sign-in page. Every other
 * session of the user ends (whoever else knew the old password is signed out); `keepSid`, the
 * session that asked, stays signed in.
 */
export async function changePassword(db: DB, userId: string, input: { currentPassword: string; newPassword: string }, keepSid?: string) {
  const key = `password-change-fail:${userId}`;
  const windows = signInFailureWindows().emailAndAddress;
  assertAllowed([await peek(db, key, windows)], "password-change", tooMany);
  const [row] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId)).limit(1);
  if (!row?.passwordHash) throw new Invalid(NO_PASSWORD);
  if (!(await passwordMatches(input.currentPassword, row.passwordHash))) {
    await hit(db, key, windows);
    throw new Invalid(WRONG_CURRENT_PASSWORD);
  }
  const passwordHash = await hashPassword(input.newPassword);
  await db.update(users).set({ passwordHash }).where(eq(users.id, userId));
  await endAllSessions(db, userId, keepSid);
}
