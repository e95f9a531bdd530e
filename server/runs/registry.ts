import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { ActiveRun } from "./active-run";

/**
 * This instance's runs. One active run per thread is enforced here, in memory, for now; the
 * resumable-runs work moves it to Postgres so it holds across instances.
 */
const state = globalThis as unknown as { __threadlineRuns?: { byId: Map<string, ActiveRun>; activeByThread: Map<string, ActiveRun> } };
const runs = (state.__threadlineRuns ??= { byId: new Map(), activeByThread: new Map() });

// Finished runs stay a while so that a late or reconnecting subscriber still gets the ending.
const KEEP_FINISHED_MS = 5 * 60_000;

export const STILL_ANSWERING = "Still answering the previous message";

export function registerRun(threadId: string, userId: string): ActiveRun {
  if (runs.activeByThread.has(threadId)) throw new TRPCError({ code: "CONFLICT", message: STILL_ANSWERING });
  const run = new ActiveRun(randomUUID(), threadId, userId);
  runs.byId.set(run.id, run);
  runs.activeByThread.set(threadId, run);
  return run;
}

export function releaseRun(run: ActiveRun) {
  if (runs.activeByThread.get(run.threadId) === run) runs.activeByThread.delete(run.threadId);
  setTimeout(() => runs.byId.delete(run.id), KEEP_FINISHED_MS).unref();
}

/** A run the user may see: someone else's is as absent as a missing one. */
export function findRun(runId: string, userId: string): ActiveRun | null {
  const run = runs.byId.get(runId);
  return run && run.userId === userId ? run : null;
}

export function activeRunOf(threadId: string): ActiveRun | null {
  return runs.activeByThread.get(threadId) ?? null;
}
