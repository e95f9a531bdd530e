import { randomBytes } from "node:crypto";
import os from "node:os";
import { config } from "@/server/config";

/**
 * This server process, as named in runs.owner_instance. Kept on globalThis: Next loads this module
 * once per bundle, and a second name would leave the runs that routes start without heartbeats
 * (heartbeats are sent from the instrumentation bundle), so a living instance's long answers
 * would be taken over as if it had died.
 */
const shared = globalThis as unknown as { __threadlineInstanceId?: string };
export const INSTANCE_ID = (shared.__threadlineInstanceId ??= `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`);

export const runTiming = () => ({
  /** How often an executing instance proves it is alive. */
  heartbeatMs: config().RUN_HEARTBEAT_MS,
  /** After this long without a heartbeat, another instance takes the run over. */
  staleAfterMs: config().RUN_STALE_AFTER_MS,
  /** How often each instance looks for runs whose owner disappeared. */
  sweepMs: config().RUN_SWEEP_MS,
  /** How long a finished run keeps its full event log for clients that come back to it. */
  eventsRetentionMs: config().RUN_EVENTS_RETENTION_MS,
});
