import { type DB, sessionUrl } from "@/db/client";
import type { SequencedEvent } from "@/lib/run-events";
import { CHANNELS, notificationHub } from "./notify";
import { readEvents } from "./store";

/** How long a follower waits without a notification before reading anyway: longer while LISTEN works. */
const POLL_MS = { listening: 2_000, deaf: 250 };

/**
 * Follows a run that another instance executes (or that has ended): reads its events from Postgres
 * after `afterSeq`, and waits for a NOTIFY naming the run before reading again. If the listening
 * connection is down it polls, so a dropped LISTEN slows delivery but never stops it.
 */
export async function* followRun(db: DB, runId: string, afterSeq: number, signal?: AbortSignal): AsyncGenerator<SequencedEvent> {
  const hub = notificationHub(listenUrl(db));
  let wake: (() => void) | null = null;
  let pending = false;
  const off = hub.on(CHANNELS.events, (payload) => {
    // A payload names every run a statement wrote to: "<runId>:<seq> <runId>:<seq> …".
    if (!payload.includes(`${runId}:`)) return;
    pending = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  try {
    let after = afterSeq;
    while (!signal?.aborted) {
      pending = false;
      const batch = await readEvents(db, runId, after);
      for (const item of batch) {
        yield item;
        after = item.seq;
        if (item.event.type === "run-end") return;
      }
      if (batch.length > 0 || pending) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, hub.connected ? POLL_MS.listening : POLL_MS.deaf);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  } finally {
    off();
    signal?.removeEventListener("abort", onAbort);
  }
}

/** Where a Drizzle handle's listening connection goes: the same database, around the pooler when there is one. */
export const listenUrl = (db: DB): string => sessionUrl(db.$client);
