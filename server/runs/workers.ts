import { type DB, isDatabaseUnavailable } from "@/db/client";
import { config } from "@/server/config";
import { DatabaseOutageError, databaseOutage } from "@/server/database-outage";
import type { AgentRegistry } from "@/server/agent";
import { listenUrl } from "./follow";
import { runTiming } from "./instance";
import { CHANNELS, notificationHub } from "./notify";
import { localRun, localRunIds } from "./registry";
import { pruneRateLimits } from "@/server/limits/rate-limit";
import { pruneSessions } from "@/server/auth/sessions";
import { sweepUnsentAttachments } from "@/server/attachments/store";
import { logger } from "@/server/observability/log";
import { claimStaleRuns, heartbeat, pruneRunEvents } from "./store";
import { takeOver } from "./lifecycle";

/** Pruning is housekeeping: once a minute per instance is plenty. */
const PRUNE_EVERY_MS = 60_000;

/**
 * What every instance does in the background: heartbeats for the runs it executes (which also
 * picks up cancel requests it missed), cancelling when another instance asks, and taking over runs
 * whose owner stopped sending heartbeats, and pruning old event logs. Returns a function that stops it all.
 */
export function startRunWorkers(db: DB, agents: () => Promise<AgentRegistry>): () => void {
  const timing = runTiming();
  const stopListening = notificationHub(listenUrl(db)).on(CHANNELS.control, (runId) => localRun(runId)?.controller.abort());

  const beat = setInterval(() => {
    heartbeat(db, localRunIds())
      .then((cancelled) => cancelled.forEach((id) => localRun(id)?.controller.abort()))
      .catch((err) => quietDuringOutage(err, "heartbeat failed"));
  }, timing.heartbeatMs);

  // An outage longer than the grace ends the answers it holds up: each is interrupted, keeping what
  // was shown, once Postgres is back (see executeRun).
  let graceTimer: NodeJS.Timeout | undefined;
  const stopWatchingOutages = databaseOutage().onChange((down) => {
    clearTimeout(graceTimer);
    if (!down) return;
    graceTimer = setTimeout(() => {
      for (const id of localRunIds()) localRun(id)?.controller.abort(new DatabaseOutageError());
    }, config().DB_OUTAGE_GRACE_MS);
    graceTimer.unref();
  });

  let sweeping = false;
  let prunedAt = 0;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      // After an outage every owner's heartbeat looks stale, its own included: an owner that is
      // alive needs one heartbeat to show it. So nothing is taken over until Postgres has answered
      // for a whole stale window, by which time only the dead are still silent.
      if (databaseOutage().reachableForMs() < timing.staleAfterMs) return;
      for (const run of await claimStaleRuns(db, timing.staleAfterMs)) {
        logger().info({ runId: run.id, threadId: run.threadId, userId: run.userId, from: run.ownerInstance }, "taking over run");
        await takeOver(db, await agents(), run).catch((err) => logger().error({ err, runId: run.id }, "could not resume run"));
      }
      if (Date.now() - prunedAt >= PRUNE_EVERY_MS) {
        prunedAt = Date.now();
        await pruneRunEvents(db, timing.eventsRetentionMs);
        await pruneRateLimits(db);
        await pruneSessions(db);
        await sweepUnsentAttachments(db);
      }
    } catch (err) {
      quietDuringOutage(err, "recovery sweep failed");
    } finally {
      sweeping = false;
    }
  };
  const sweeper = setInterval(sweep, timing.sweepMs);
  void sweep(); // a restarted instance picks up its own orphans at once
  beat.unref();
  sweeper.unref();

  return () => {
    clearInterval(beat);
    clearInterval(sweeper);
    clearTimeout(graceTimer);
    stopWatchingOutages();
    stopListening();
  };
}

/** A failure because Postgres is away is already logged once for the whole outage. */
function quietDuringOutage(err: unknown, message: string) {
  if (isDatabaseUnavailable(err)) logger().debug({ reason: err instanceof Error ? err.message : String(err) }, message);
  else logger().error({ err }, message);
}
