import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { metrics } from "@/server/observability/metrics";
import { config } from "@/server/config";
import { RateLimited } from "@/server/errors";

export interface Window {
  /** Hits allowed per window. */
  max: number;
  seconds: number;
}

export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Counts one hit of `key` in each window and says whether any is over its limit, in one statement
 * that every instance shares. Hits over the limit count too, so hammering does not shorten the wait.
 * Each window is a sliding one, estimated from two fixed ones in Postgres (the current count plus
 * the previous one's, weighted by how much of it still overlaps): with plain fixed windows, a
 * burst across a boundary got twice the limit through.
 */
export async function hit(db: DB, key: string, windows: Window[]): Promise<Verdict> {
  key = storedKey(key);
  const active = windows.filter((w) => w.max > 0);
  if (active.length === 0) return { ok: true };
  const { rows } = await db.execute<Counts>(sql`
    WITH cur AS (
      INSERT INTO rate_limits (key, window_start, hits)
      SELECT ${key} || ':' || w.seconds, to_timestamp(floor(extract(epoch FROM now()) / w.seconds) * w.seconds), 1
      FROM unnest(${secondsOf(active)}) AS w(seconds)
      ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1
      RETURNING key, window_start, hits, split_part(key, ':', -1)::int AS seconds
    )
    SELECT cur.seconds, cur.hits, coalesce(prev.hits, 0) AS previous, extract(epoch FROM now() - cur.window_start)::float8 AS elapsed
    FROM cur LEFT JOIN rate_limits prev ON prev.key = cur.key AND prev.window_start = cur.window_start - make_interval(secs => cur.seconds)`);
  return verdictOf(active, rows, 0);
}

/**
 * Says whether one more hit of `key` would fit in each window, counting nothing, in one statement.
 * For limits that count only some outcomes (failed sign-ins): `peek` before the attempt, `hit`
 * after a failure. Attempts in flight between the two can overshoot the limit by as many as run at
 * once, which the caller bounds.
 */
export async function peek(db: DB, key: string, windows: Window[]): Promise<Verdict> {
  key = storedKey(key);
  const active = windows.filter((w) => w.max > 0);
  if (active.length === 0) return { ok: true };
  const { rows } = await db.execute<Counts>(sql`
    WITH w AS (
      SELECT w.seconds, ${key} || ':' || w.seconds AS key, to_timestamp(floor(extract(epoch FROM now()) / w.seconds) * w.seconds) AS window_start
      FROM unnest(${secondsOf(active)}) AS w(seconds)
    )
    SELECT w.seconds, coalesce(cur.hits, 0) AS hits, coalesce(prev.hits, 0) AS previous, extract(epoch FROM now() - w.window_start)::float8 AS elapsed
    FROM w
    LEFT JOIN rate_limits cur ON cur.key = w.key AND cur.window_start = w.window_start
    LEFT JOIN rate_limits prev ON prev.key = w.key AND prev.window_start = w.window_start - make_interval(secs => w.seconds)`);
  return verdictOf(active, rows, 1);
}

/** Forgets every hit of `key`, in one statement (a sign-in that succeeded clears its failures). */
export async function forget(db: DB, key: string, windows: Window[]) {
  const keys = windows.map((w) => sql`${`${storedKey(key)}:${Math.floor(w.seconds)}`}`);
  await db.execute(sql`DELETE FROM rate_limits WHERE key IN (${sql.join(keys, sql`, `)})`);
}

/** Keys carry what the client sent (an email, an address): a long one is stored as its hash, within the index's row size. */
const storedKey = (key: string) => (key.length <= 200 ? key : `sha256:${createHash("sha256").update(key).digest("hex")}`);

type Counts = { seconds: number; hits: number; previous: number; elapsed: number };

const secondsOf = (windows: Window[]) => sql.raw(`ARRAY[${windows.map((w) => Math.floor(w.seconds)).join(",")}]::int[]`);

/** The verdict over every window's counts, with `extra` hits not yet counted (1 for a peek). */
function verdictOf(active: Window[], rows: Counts[], extra: number): Verdict {
  const waits = rows.flatMap((r) => {
    const verdict = slidingWindow({
      ...active.find((w) => w.seconds === Number(r.seconds))!,
      hits: Number(r.hits) + extra,
      previous: Number(r.previous),
      elapsed: Number(r.elapsed),
    });
    return verdict.ok ? [] : [verdict.retryAfterSeconds];
  });
  return waits.length === 0 ? { ok: true } : { ok: false, retryAfterSeconds: Math.max(...waits) };
}

/**
 * One window's verdict on a hit already counted: `hits` in the current fixed window, `previous` in
 * the one before, `elapsed` seconds into the current one. The wait is until one more hit would fit.
 */
export function slidingWindow({ max, seconds, hits, previous, elapsed }: Window & { hits: number; previous: number; elapsed: number }): Verdict {
  const overlap = Math.max(0, 1 - elapsed / seconds);
  if (previous * overlap + hits <= max) return { ok: true };
  const room = max - 1; // what the estimate must fall to for the next hit to pass
  // Within this window only the previous one's share shrinks; after it, this one's does.
  const wait = hits <= room && previous > 0 ? seconds * (1 - (room - hits) / previous) - elapsed : seconds - elapsed + seconds * (1 - room / hits);
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(wait - 1e-9)) };
}

/** "42 seconds", "3 minutes": how long to wait, in words. */
export function waitInWords(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/** Messages a user may send (new, edited, regenerated, continued): each costs a model call. */
export const messageWindows = (): Window[] => [
  { max: config().MESSAGE_RATE_PER_MINUTE, seconds: 60 },
  { max: config().MESSAGE_RATE_PER_HOUR, seconds: 3600 },
];

/** Conversations a user may create (by a first message, or thread.create): each is a row that stays. */
export const threadWindows = (): Window[] => [
  { max: config().THREAD_RATE_PER_MINUTE, seconds: 60 },
  { max: config().THREAD_RATE_PER_HOUR, seconds: 3600 },
];

/**
 * Failed sign-ins in 15 minutes: per email from one client address (the tight one, which locks out
 * only that address), per email from all addresses (a looser backstop against guessing from many),
 * and per address across all emails.
 */
export const signInFailureWindows = () => ({
  emailAndAddress: [{ max: config().SIGNIN_FAILURES_PER_EMAIL_IP, seconds: 900 }],
  email: [{ max: config().SIGNIN_FAILURES_PER_EMAIL, seconds: 900 }],
  address: [{ max: config().SIGNIN_FAILURES_PER_IP, seconds: 900 }],
});

/** Sign-up attempts in an hour, per email and per client address: each tells whether an email is registered. */
export const signUpWindows = () => ({
  email: [{ max: config().SIGNUP_ATTEMPTS_PER_EMAIL, seconds: 3600 }],
  address: [{ max: config().SIGNUP_ATTEMPTS_PER_IP, seconds: 3600 }],
});

/** Any refused verdict becomes RateLimited with `message(wait)` (the longest wait), counted under `limit`. */
export function assertAllowed(verdicts: Verdict[], limit: string, message: (wait: string) => string) {
  const waits = verdicts.flatMap((v) => (v.ok ? [] : [v.retryAfterSeconds]));
  if (waits.length === 0) return;
  metrics().rateLimited.inc({ limit });
  const wait = Math.max(...waits);
  throw new RateLimited(message(waitInWords(wait)), wait);
}

/** The message limit: refused with when to try again; the message is not lost. */
export async function assertMessageAllowed(db: DB, userId: string) {
  assertAllowed([await hit(db, `messages:${userId}`, messageWindows())], "messages", (wait) => `You're sending messages too quickly. Try again in ${wait}.`);
}

/** The conversation limit, counted before the conversation is made. */
export async function assertThreadAllowed(db: DB, userId: string) {
  assertAllowed([await hit(db, `threads:${userId}`, threadWindows())], "threads", (wait) => `You're starting conversations too quickly. Try again in ${wait}.`);
}

/** Files a user may upload in an hour: each is up to ATTACHMENT_MAX_BYTES stored (for a day, if never sent). */
export async function assertUploadAllowed(db: DB, userId: string) {
  const windows = [{ max: config().ATTACHMENT_UPLOADS_PER_HOUR, seconds: 3600 }];
  assertAllowed([await hit(db, `uploads:${userId}`, windows)], "uploads", (wait) => `You're uploading files too quickly. Try again in ${wait}.`);
}

/** Forgets windows that ended long ago. */
export async function pruneRateLimits(db: DB) {
  await db.execute(sql`DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'`);
}
