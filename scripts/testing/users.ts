import { randomUUID } from "node:crypto";
import type { Session } from "next-auth";
import type { DB } from "../../db/client";
import { createUser } from "../../server/auth/users";
import { createCaller } from "../../server/trpc/root";

export const uniqueEmail = () => `user-${randomUUID()}@example.com`;

/** A real user row plus a tRPC caller signed in as them, as the route handler would build it. */
export async function signedInCaller(db: DB) {
  const created = await createUser(db, { email: uniqueEmail(), password: "correct-horse-42" });
  if (!created.ok) throw new Error("could not create test user");
  const session: Session = { user: { id: created.user.id, email: created.user.email }, expires: new Date(Date.now() + 3600_000).toISOString() };
  return { user: created.user, caller: createCaller({ db, session }) };
}
