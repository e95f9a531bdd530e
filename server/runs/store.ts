import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { Conflict } from "@/server/errors";
import { ACTIVE_RUN_STATUSES, type Run, runEvents, runs, threads } from "@/db/schema";
import type { RunEvent, SequencedEvent } from "@/lib/run-events";
import { INSTANCE_ID } from "./instance";
import { announcement } from "@/server/threads/activity";
import { CHANNELS } from "./notify";

export const STILL_ANSWERING = "Still answering the previous message";

/** The one place that says which statuses hold a thread's answering slot. */
const active = inArray(runs.status, ACTIVE_RUN_STATUSES);

/**
 * Records the endings of runs (status, error, finish time): the fragment the event writer puts in
 * the same statement as their last events, so a follower never sees an ending whose status is not
 * yet recorded. `finals` is a JSON array of {id, status, error}.
 */
export const finishRuns = (finals: string) => sql`
  UPDATE runs SET status = f.status, error = f.error, finished_at = now()
  FROM jsonb_to_recordset(${finals}::jsonb) AS f(id uuid, status text, error text)
  WHERE runs.id = f.id
  RETURNING runs.user_id, runs.thread_id`;

/** Claims the thread's one active-run slot for this instance; a thread already answering is a CONFLICT. */
export async function createRun(db: DB, input: { threadId: string; userId: string; message: { id: string; text: string } | null }): Promise<Run> {
  try {
    const inserted = db.$with("inserted_run").as(
      db
        .insert(runs)
        .values({
          threadId: input.threadId,
          userId: input.userId,
          input: input.message,
          status: "running",
          ownerInstance: INSTANCE_ID,
          startedAt: sql`now()`,
          heartbeatAt: sql`now()`,
        })
        .returning(),
    );
    // Conversation activity: the thread moves to the top of the sidebar, by the time other tabs hear of the run.
    const touched = db.$with("touched_thread").as(
      db
        .update(threads)
        .set({ updatedAt: sql`now()` })
        .where(eq(threads.id, input.threadId))
        .returning({ id: threads.id }),
    );
    // The run, its thread's activity and its announcement in one round trip: chat.send waits for this statement.
    const [run] = await db
      .with(inserted, touched)
      .select()
      .from(inserted)
      .where(sql`${announcement(input.userId, input.threadId, "run-started")}::text IS NOT NULL`);
    return run!;
  } catch (err) {
    const e = err as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } };
    const cause = e.cause ?? e;
    if (cause.code === "23505" && cause.constraint === "runs_one_active_per_thread") throw new Conflict(STILL_ANSWERING);
    throw err;
  }
}

/** More than any run writes: events are coalesced, so even a very long answer has a few hundred. */
export const MAX_RUN_EVENTS = 100_000;

export async function readEvents(db: DB, runId: string, afterSeq: number, limit = 1000): Promise<SequencedEvent[]> {
  const rows = await db
    .select({ seq: runEvents.seq, event: runEvents.event })
    .from(runEvents)
    .where(and(eq(runEvents.runId, runId), gt(runEvents.seq, afterSeq)))
    .orderBy(asc(runEvents.seq))
    .limit(limit);
  return rows.map((r) => ({ seq: r.seq, event: r.event as RunEvent }));
}

/** A run the user may see: someone else's is as absent as a missing one. */
export async function getRun(db: DB, runId: string, userId: string): Promise<Run | null> {
  const [run] = await db
    .select()
    .from(runs)
    .where(and(eq(runs.id, runId), eq(runs.userId, userId)))
    .limit(1);
  return run ?? null;
}

export async function activeRunOfThread(db: DB, threadId: string): Promise<Run | null> {
  const [run] = await db
    .select()
    .from(runs)
    .where(and(eq(runs.threadId, threadId), active))
    .limit(1);
  return run ?? null;
}

/** Asks whichever instance executes the run to stop it; the owner hears it at once, or at its next heartbeat. */
export async function requestCancel(db: DB, runId: string) {
  await db.execute(sql`
    WITH r AS (
      UPDATE runs SET cancel_requested_at = now() WHERE id = ${runId}::uuid AND ${active} RETURNING id
    )
    SELECT pg_notify(${CHANNELS.control}, id::text) FROM r`);
}

/** Keeps this instance's runs alive; answers which of them someone asked to cancel. */
export async function heartbeat(db: DB, runIds: string[]): Promise<string[]> {
  if (runIds.length === 0) return [];
  const rows = await db
    .update(runs)
    .set({ heartbeatAt: sql`now()` })
    .where(and(inArray(runs.id, runIds), eq(runs.ownerInstance, INSTANCE_ID), active))
    .returning({ id: runs.id, cancelRequestedAt: runs.cancelRequestedAt });
  return rows.filter((r) => r.cancelRequestedAt).map((r) => r.id);
}

/**
 * Takes over active runs whose owner has not sent a heartbeat for `staleAfterMs`. SKIP LOCKED lets
 * every instance sweep at once while each run goes to exactly one of them.
 */
export async function claimStaleRuns(db: DB, staleAfterMs: number, limit = 5): Promise<Run[]> {
  const result = await db.execute<Record<string, unknown>>(sql`
    UPDATE runs SET owner_instance = ${INSTANCE_ID}, heartbeat_at = now(), recoveries = recoveries + 1
    WHERE id IN (
      SELECT id FROM runs
      WHERE ${active} AND heartbeat_at < now() - make_interval(secs => ${staleAfterMs / 1000})
      ORDER BY heartbeat_at
      FOR UPDATE SKIP LOCKED
      LIMIT ${limit}
    )
    RETURNING id`);
  const ids = result.rows.map((r) => String(r.id));
  if (ids.length === 0) return [];
  return db.select().from(runs).where(inArray(runs.id, ids));
}

/** A run handed over on shutdown: still running, with no owner and a long-expired heartbeat, so the next sweep takes it. */
export async function releaseForTakeover(db: DB, runId: string) {
  await db
    .update(runs)
    .set({ ownerInstance: null, heartbeatAt: sql`'-infinity'::timestamptz` })
    .where(and(eq(runs.id, runId), active));
}

/**
 * Cuts the event logs of runs that finished over `olderThanMs` ago down to their ending. Their turn
 * is in the checkpoint by then, and a client that comes back to one only needs to learn it ended.
 */
export async function pruneRunEvents(db: DB, olderThanMs: number, limit = 500): Promise<number> {
  const result = await db.execute(sql`
    WITH done AS (
      UPDATE runs SET events_pruned_at = now()
      WHERE id IN (
        SELECT id FROM runs
        WHERE events_pruned_at IS NULL AND finished_at IS NOT NULL AND finished_at < now() - make_interval(secs => ${olderThanMs / 1000})
        ORDER BY finished_at
        FOR UPDATE SKIP LOCKED
        LIMIT ${limit}
      )
      RETURNING id
    )
    DELETE FROM run_events e USING done WHERE e.run_id = done.id AND e.event->>'type' <> 'run-end'`);
  return result.rowCount ?? 0;
}
