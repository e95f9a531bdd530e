import bcrypt from "bcryptjs";
import { eq } from "drizzle-orm";
import type { DB } from "@/db/client";
import { users } from "@/db/schema";
import type { SignInInput, SignUpInput } from "./credentials";
import { withHashSlot } from "./hash-slots";

const COST = 12;
// Compared against when the email is unknown, so a wrong email takes as long as a wrong password.
const DUMMY_HASH = "$2b$12$orWOlwCMOG2/bFEWhPKqiuSdvj40.SwZPlRYxoU42B7Cjrqr4cNAK";

export interface SignedInUser {
  id: string;
  email: string;
  name: string | null;
}

export type CreateUserResult = { ok: true; user: SignedInUser } | { ok: false; reason: "email-taken" };

/** A new password's hash. Throws Unavailable when every hash slot is taken (hash-slots.ts). */
export const hashPassword = (password: string) => withHashSlot(() => bcrypt.hash(password, COST));

/** Whether the password is the one hashed. Throws Unavailable when every hash slot is taken. */
export const passwordMatches = (password: string, hash: string) => withHashSlot(() => bcrypt.compare(password, hash));

/** Throws Unavailable when every hash slot is taken (hash-slots.ts). */
export async function createUser(db: DB, input: SignUpInput): Promise<CreateUserResult> {
  const passwordHash = await hashPassword(input.password);
  const rows = await db
    .insert(users)
    .values({ email: input.email, passwordHash })
    .onConflictDoNothing({ target: users.email })
    .returning({ id: users.id, email: users.email, name: users.name });
  const row = rows[0];
  if (!row) return { ok: false, reason: "email-taken" };
  return { ok: true, user: { id: row.id, email: row.email!, name: row.name } };
}

/** The user when the password matches; null for an unknown email or a wrong password alike. Throws Unavailable when every hash slot is taken. */
export async function verifyCredentials(db: DB, input: SignInInput): Promise<SignedInUser | null> {
  const [row] = await db
    .select({ id: users.id, email: users.email, name: users.name, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.email, input.email))
    .limit(1);
  const matches = await passwordMatches(input.password, row?.passwordHash ?? DUMMY_HASH);
  if (!row?.passwordHash || !matches) return null;
  return { id: row.id, email: row.email!, name: row.name };
}
