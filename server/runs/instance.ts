import { randomBytes } from "node:crypto";
import os from "node:os";
import { config } from "@/server/config";

/** This server process, as named in runs.owner_instance. */
export const INSTANCE_ID = `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;

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
