import "server-only";
import { getDb } from "@/db/client";
import { getAgent } from "@/server/agent";
import { auth } from "@/server/auth";
import type { Context } from "./init";

export async function createContext(): Promise<Context> {
  return { db: getDb(), session: await auth(), agent: getAgent };
}
