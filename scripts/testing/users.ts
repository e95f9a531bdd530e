import { randomBytes, randomUUID } from "node:crypto";
import type { Session } from "next-auth";
import type { Agent, AgentRegistry } from "../../server/agent";
import { createUser } from "../../server/auth/users";
import type { Context } from "../../server/trpc/init";
import { createCaller } from "../../server/trpc/root";
import { registryOf, testAgent } from "./agent";
import type { TestDatabase } from "./database";

export const uniqueEmail = () => `user-${randomUUID()}@example.com`;
/** A client address of a test's own (in the documentation range): limits count per address in one database per file. */
export const uniqueAddress = () => `2001:db8::${randomBytes(6).toString("hex").match(/.{4}/g)!.join(":")}`;

export function sessionFor(userId: string): Session {
  return { user: { id: userId }, expires: new Date(Date.now() + 3600_000).toISOString() };
}

/** The context the route handler builds, on a test database, with the given agent (or the offline one), or agents. */
export function testContext(t: Pick<TestDatabase, "db" | "pool">, session: Session | null, agent?: Agent | AgentRegistry): Context {
  const registry = agent && "defaultAgentId" in agent ? agent : registryOf(agent ?? testAgent(t.pool));
  return { db: t.db, session, agents: async () => registry };
}

/** A real user row plus a tRPC caller signed in as them. */
export async function signedInCaller(t: Pick<TestDatabase, "db" | "pool">, agent?: Agent | AgentRegistry) {
  const created = await createUser(t.db, { email: uniqueEmail(), password: "correct-horse-42" });
  if (!created.ok) throw new Error("could not create test user");
  return { user: created.user, caller: createCaller(testContext(t, sessionFor(created.user.id), agent)) };
}
