import type { ActiveRun } from "./active-run";

/**
 * Runs executing on this instance, for local subscribers and for cancelling. Which runs exist, and
 * which thread is busy, is Postgres's to say (the runs table); this is only what this process holds.
 */
const state = globalThis as unknown as { __threadlineLocalRuns?: Map<string, ActiveRun> };
const local = (state.__threadlineLocalRuns ??= new Map());

export function holdRun(run: ActiveRun) {
  local.set(run.id, run);
}

export function releaseRun(run: ActiveRun) {
  if (local.get(run.id) === run) local.delete(run.id);
}

export const localRun = (runId: string): ActiveRun | null => local.get(runId) ?? null;
export const localRunIds = (): string[] => [...local.keys()];
