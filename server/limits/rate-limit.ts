import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { metrics } from "@/server/observability/metrics";

export interface Window {
  /** Hits allowed per window. */
  max: number;
  seconds: number;
}

export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Counts one hit of `key` in each window and says whether any is over its limit, in one statement
 * that every instance shares (fixed windows in Postgres). Hits over the limit count too, so
 * hammering does not shorten the wait.
 */
export async function hit(db: DB, key: string, windows: Window[]): Promise<Verdict> {
  const active = windows.filter((w) => w.max > 0);
  if (active.length === 0) return { ok: true };
  const { rows } = await db.execute<{ seconds: number; hits: number; retry_after: number }>(sql`
    INSERT INTO rate_limits (key, window_start, hits)
    SELECT ${key} || ':' || w.seconds, to_timestamp(floor(extract(epoch FROM now()) / w.seconds) * w.seconds), 1
    FROM unnest(${sql.raw(`ARRAY[${active.map((w) => Math.floor(w.seconds)).join(",")}]::int[]`)}) AS w(seconds)
    ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1
    RETURNING split_part(key, ':', -1)::int AS seconds, hits,
      ceil(extract(epoch FROM window_start + make_interval(secs => split_part(key, ':', -1)::int) - now()))::int AS retry_after`);
  const over = rows.filter((r) => r.hits > active.find((w) => w.seconds === Number(r.seconds))!.max);
  if (over.length === 0) return { ok: true };
  return { ok: false, retryAfterSeconds: Math.max(1, ...over.map((r) => Number(r.retry_after))) };
}

/** "42 seconds", "3 minutes": how long to wait, in words. */
export function waitInWords(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

const numberFromEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
};

/** Messages a user may send (new, edited, regenerated, continued): each costs a model call. */
export const messageWindows = (): Window[] => [
  { max: numberFromEnv("MESSAGE_RATE_PER_MINUTE", 20), seconds: 60 },
  { max: numberFromEnv("MESSAGE_RATE_PER_HOUR", 300), seconds: 3600 },
];

/** Sign-in attempts per email address and per client address, in 15 minutes. */
export const signInWindows = () => ({
  email: [{ max: numberFromEnv("SIGNIN_ATTEMPTS_PER_EMAIL", 10), seconds: 900 }],
  ip: [{ max: numberFromEnv("SIGNIN_ATTEMPTS_PER_IP", 100), seconds: 900 }],
});

/** The message limit for tRPC: TOO_MANY_REQUESTS with when to try again; the message is not lost. */
export async function assertMessageAllowed(db: DB, userId: string) {
  const verdict = await hit(db, `messages:${userId}`, messageWindows());
  if (!verdict.ok) {
    metrics().rateLimited.inc({ limit: "messages" });
    throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `You're sending messages too quickly. Try again in ${waitInWords(verdict.retryAfterSeconds)}.` });
  }
}

/** Forgets windows that ended long ago. */
export async function pruneRateLimits(db: DB) {
  await db.execute(sql`DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'`);
}
