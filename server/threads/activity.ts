import { sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { CHANNELS } from "@/server/runs/notify";

/** What changed in one of a user's threads; other tabs and instances refresh what it touches. */
/** thread-changed: its messages changed without a run (a branch switched, an action decided). */
export type ActivityKind = "thread-created" | "thread-renamed" | "thread-deleted" | "thread-changed" | "run-started" | "run-ended";

export interface Activity {
  threadId: string;
  kind: ActivityKind;
}

/** Ids only, well under NOTIFY's 8,000 bytes: `<userId>|<threadId>|<kind>`. */
export function activityPayload(userId: string, threadId: string, kind: ActivityKind) {
  return `${userId}|${threadId}|${kind}`;
}

export function parseActivity(payload: string, userId: string): Activity | null {
  const [who, threadId, kind] = payload.split("|");
  return who === userId && threadId && kind ? { threadId, kind: kind as ActivityKind } : null;
}

/** The NOTIFY as an expression, for a statement that does something else too (it goes out when that commits). */
export const announcement = (userId: string, threadId: string, kind: ActivityKind) =>
  sql`pg_notify(${CHANNELS.activity}, ${activityPayload(userId, threadId, kind)})`;

export async function announce(db: DB, userId: string, threadId: string, kind: ActivityKind) {
  await db.execute(sql`SELECT ${announcement(userId, threadId, kind)}`);
}
