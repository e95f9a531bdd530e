import "server-only";
import { headers } from "next/headers";
import { randomUUID } from "node:crypto";
import { getDb } from "@/server/db";
import { getAgents } from "@/server/agent";
import { sessionFromCookies } from "@/server/auth/session-cookie";
import { TRPCError } from "@trpc/server";
import { isDatabaseUnavailable } from "@/db/client";
import { type Context, DATABASE_UNREACHABLE } from "./init";

/** A request id from the proxy in front, if it sent a sane one; otherwise a new one. */
function requestIdOf(req: Request | undefined): string {
  const given = req?.headers.get("x-request-id");
  return given && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
}

/** Per request: from the tRPC route handler (with its Request) or from a server component render. */
export async function createContext(opts: { req?: Request } = {}): Promise<Context> {
  const { req } = opts;
  const cookie = req ? req.headers.get("cookie") : (await headers()).get("cookie");
  const db = getDb();
  const session = await sessionFromCookies(db, cookie).catch((err) => {
    if (isDatabaseUnavailable(err)) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DATABASE_UNREACHABLE, cause: err });
    throw err;
  });
  return { db, session, agents: getAgents, requestId: requestIdOf(req) };
}
