import type { DB } from "@/db/client";
import { eventId, type SequencedEvent, seqAfter } from "@/lib/run-events";
import { followRun } from "./follow";
import { localRun } from "./registry";
import { MAX_RUN_EVENTS, readEvents } from "./store";
import { withSnapshot } from "@/lib/turn";

/**
 * A run's events for one watcher, from any instance: from memory where the run executes, from
 * Postgres elsewhere. After `lastEventId` only what came after; with none (a page opened
 * mid-answer), the turn so far as one snapshot first; `<runId>:0` asks for every event.
 */
export async function* watchRun(db: DB, runId: string, lastEventId: string | null | undefined, signal?: AbortSignal): AsyncGenerator<SequencedEvent> {
  let after = seqAfter(lastEventId, runId);
  const here = localRun(runId);
  if (after === 0 && lastEventId !== eventId(runId, 0)) {
    const backlog = here ? here.written() : await readEvents(db, runId, 0, MAX_RUN_EVENTS);
    for (const item of withSnapshot(backlog)) {
      yield item;
      if (item.event.type === "run-end") return;
    }
    after = backlog.at(-1)?.seq ?? 0;
  }
  yield* here ? here.subscribe(after, signal) : followRun(db, runId, after, signal);
}
