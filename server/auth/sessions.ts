import { randomBytes } from "node:crypto";
import { and, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { userSessions } from "@/db/schema";
import { config } from "@/server/config";
import { listenUrl } from "@/server/runs/follow";
import { CHANNELS, notificationHub } from "@/server/runs/notify";

/** What a session cookie says about its sign-in, next to Auth.js's own claims. */
export interface SessionClaims {
  sub?: string;
  /** The user_sessions row this cookie belongs to. */
  sid?: unknown;
  /** When the sign-in ends, in seconds since the epoch: re-issued cookies carry it unchanged. */
  sessionEnds?: unknown;
}

/** A new sign-in: its row, and when it ends. */
export async function startSession(db: DB, userId: string): Promise<{ sid: string; sessionEnds: number }> {
  const sid = randomBytes(24).toString("base64url");
  const sessionEnds = Math.floor(Date.now() / 1000) + config().SESSION_MAX_AGE_SECONDS;
  await db.insert(userSessions).values({ id: sid, userId, expiresAt: new Date(sessionEnds * 1000) });
  return { sid, sessionEnds };
}

/**
 * Whether the cookie's sign-in is still on: not ended, not past its absolute end, and the user
 * still exists. Postgres is asked at most once per SESSION_RECHECK_SECONDS per session on each
 * instance; an ending announced over LISTEN drops the remembered answer at once.
 */
export async function sessionIsLive(db: DB, claims: SessionClaims): Promise<boolean> {
  const { sub, sid, sessionEnds } = claims;
  if (typeof sub !== "string" || typeof sid !== "string" || typeof sessionEnds !== "number") return false;
  if (sessionEnds * 1000 <= Date.now()) return false;
  listenForEndings(db);
  const seen = checked().get(sid);
  if (seen && seen.userId === sub && Date.now() - seen.at < config().SESSION_RECHECK_SECONDS * 1000) return seen.live;
  const endingsBefore = shared().endings;
  const [row] = await db
    .select({ id: userSessions.id })
    .from(userSessions)
    .where(and(eq(userSessions.id, sid), eq(userSessions.userId, sub), isNull(userSessions.endedAt), gt(userSessions.expiresAt, sql`now()`)))
    .limit(1);
  // An ending heard while the query ran may be newer than what it read: then nothing is remembered, so the next look asks again.
  if (shared().endings === endingsBefore) remember(sid, { userId: sub, live: Boolean(row), at: Date.now() });
  return Boolean(row);
}

/** Sign out: this session ends on every instance. */
export async function endSession(db: DB, sid: string) {
  forget(sid);
  await announceEnded(db, sql`id = ${sid}`);
}

/**
 * Sign out everywhere (and account deletion): every session of the user ends on every instance.
 * `except`: one session to keep (the one changing its password, which stays signed in).
 */
export async function endAllSessions(db: DB, userId: string, except?: string) {
  await announceEnded(db, except ? sql`user_id = ${userId} AND id <> ${except}` : sql`user_id = ${userId}`);
}

/** Ends the sessions; this instance forgets them at once, the others when the NOTIFY reaches them. */
async function announceEnded(db: DB, which: ReturnType<typeof sql>) {
  const { rows } = await db.execute<{ id: string }>(sql`
    WITH ended AS (UPDATE user_sessions SET ended_at = now() WHERE ${which} AND ended_at IS NULL RETURNING id)
    SELECT id, pg_notify(${CHANNELS.sessions}, id) FROM ended`);
  for (const { id } of rows) forget(id);
}

/** Forgets sign-ins that ended or ran out a day ago. */
export async function pruneSessions(db: DB) {
  const dayAgo = sql`now() - interval '1 day'`;
  await db.delete(userSessions).where(or(lt(userSessions.expiresAt, dayAgo), lt(userSessions.endedAt, dayAgo)));
}

const MAX_REMEMBERED = 10_000;
type Seen = { userId: string; live: boolean; at: number };

// On globalThis: proxy.ts, route handlers and pages may each load their own copy of this module.
// `endings` counts the endings heard, so a look at Postgres that one overtook is not remembered.
const state = globalThis as unknown as { __threadlineSessions?: { seen: Map<string, Seen>; listening: WeakSet<object>; endings: number } };
const shared = () => (state.__threadlineSessions ??= { seen: new Map(), listening: new WeakSet(), endings: 0 });
const checked = () => shared().seen;

function remember(sid: string, seen: Seen) {
  const map = checked();
  map.delete(sid);
  if (map.size >= MAX_REMEMBERED) map.delete(map.keys().next().value!);
  map.set(sid, seen);
}

function forget(sid: string) {
  shared().endings++;
  checked().delete(sid);
}

function listenForEndings(db: DB) {
  const hub = notificationHub(listenUrl(db));
  if (shared().listening.has(hub)) return;
  shared().listening.add(hub);
  hub.on(CHANNELS.sessions, forget);
}
