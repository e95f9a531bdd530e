import { sql } from "drizzle-orm";
import { type DB, isDatabaseUnavailable } from "@/db/client";
import { outageBackoffMs } from "@/server/database-outage";
import { metrics } from "@/server/observability/metrics";
import type { RunStatus } from "@/db/schema";
import type { SequencedEvent } from "@/lib/run-events";
import { CHANNELS } from "./notify";
import { finishRuns } from "./store";

export type Final = { status: RunStatus; error: string | null } | null;

interface Entry {
  runId: string;
  events: SequencedEvent[];
  final: Final;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Rows of one statement at most; more wait for the next round. */
const MAX_ENTRIES = 1_000;
/** Runs named in one NOTIFY: about 44 bytes each, under Postgres's 8,000-byte payload limit. */
const RUNS_PER_NOTIFY = 150;

/**
 * Group commit for run events. Every streaming run writes a few rows a second; one INSERT each
 * made 500 conversations 10,000 statements (and NOTIFYs) a second. Instead, whatever all runs of
 * this instance append while a statement is in flight goes into the next one: at low load that is
 * one statement per append, as before, and under load the number of statements stays that of the
 * database's round trips, whatever the number of runs. A run's own appends stay in order because
 * ActiveRun waits for each before sending the next.
 */
class EventWriter {
  private queue: Entry[] = [];
  private draining = false;

  constructor(private readonly db: DB) {}

  append(runId: string, events: SequencedEvent[], final: Final): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ runId, events, final, resolve, reject });
      if (this.draining) return;
      this.draining = true;
      // The appends of the same turn of the event loop go out together.
      setImmediate(() => void this.drain());
    });
  }

  private async drain() {
    let failures = 0;
    while (this.queue.length) {
      const batch = this.queue.splice(0, MAX_ENTRIES);
      try {
        await writeEntries(this.db, batch);
        metrics().eventWriteAttempts.inc({ result: "ok" });
        failures = 0;
        for (const entry of batch) entry.resolve();
      } catch (err) {
        metrics().eventWriteAttempts.inc({ result: "failed" });
        if (isDatabaseUnavailable(err)) {
          // Postgres is away: nothing is dropped and nobody is failed. The batch goes back in front,
          // joined by whatever arrives meanwhile, and one statement tries again after a capped
          // backoff, however many runs are waiting (the outage is logged once, by the pool).
          this.queue.unshift(...batch);
          await new Promise((resolve) => setTimeout(resolve, outageBackoffMs(failures++)));
          continue;
        }
        if (batch.length === 1) batch[0]!.reject(err);
        // One run's failure (say, a duplicate number after a takeover) must not fail the others.
        else await Promise.all(batch.map((entry) => writeEntries(this.db, [entry]).then(entry.resolve, entry.reject)));
      }
    }
    this.draining = false;
  }
}

/**
 * The events, the final status of runs that ended, and the wake-ups, in one statement, so a
 * follower never sees an ending whose status is not yet recorded. Events of a run that no longer
 * exists (its thread was deleted while it ran) are dropped rather than failing the statement.
 */
async function writeEntries(db: DB, entries: Entry[]) {
  const rows = entries.flatMap((e) => e.events.map((item) => ({ r: e.runId, s: item.seq, e: item.event })));
  const finals = entries.flatMap((e) => (e.final ? [{ id: e.runId, status: e.final.status, error: e.final.error }] : []));
  await db.execute(sql`
    WITH batch AS (
      SELECT (x->>'r')::uuid AS run_id, (x->>'s')::int AS seq, x->'e' AS event FROM jsonb_array_elements(${JSON.stringify(rows)}::jsonb) AS x
    ), ins AS (
      INSERT INTO run_events (run_id, seq, event)
      SELECT b.run_id, b.seq, b.event FROM batch b JOIN runs ON runs.id = b.run_id
      RETURNING run_id, seq
    ), fin AS (${finishRuns(JSON.stringify(finals))}
    ), latest AS (
      SELECT run_id, max(seq) AS seq, (row_number() OVER () - 1) / ${RUNS_PER_NOTIFY} AS chunk FROM ins GROUP BY run_id
    )
    SELECT pg_notify(${CHANNELS.events}, string_agg(run_id || ':' || seq, ' ')) FROM latest GROUP BY chunk
    UNION ALL
    SELECT pg_notify(${CHANNELS.activity}, user_id || '|' || thread_id || '|run-ended') FROM fin`);
}

const writers = new WeakMap<DB, EventWriter>();

/** The group-committing writer of this database handle. */
export function eventWriter(db: DB): EventWriter {
  let writer = writers.get(db);
  if (!writer) writers.set(db, (writer = new EventWriter(db)));
  return writer;
}

/**
 * Appends events and, with the last of a run, its final status, then wakes every listener; resolves
 * once they are committed. Appends of all runs share statements (see EventWriter).
 */
export function appendEvents(db: DB, runId: string, events: SequencedEvent[], final: Final): Promise<void> {
  if (events.length === 0) return Promise.resolve();
  return eventWriter(db).append(runId, events, final);
}
