import { Unavailable } from "@/server/errors";
import { localRunIds, localRun } from "./registry";

const state = globalThis as unknown as { __threadlineDraining?: boolean };

/** Whether this instance is shutting down: /api/ready then says so, and new answers are refused. */
export const isDraining = () => Boolean(state.__threadlineDraining);

/** New answers are refused while this instance shuts down; a load balancer retries them elsewhere. */
export function assertAcceptingRuns() {
  if (state.__threadlineDraining) {
    throw new Unavailable("This server is restarting. Try again in a moment.");
  }
}

/**
 * Graceful shutdown: stop taking runs, let each running one reach the end of its current step
 * (its checkpoint is then saved), and hand it over: still running, but with an expired heartbeat, so
 * the next sweep of any live instance (or of this one after a restart) continues it from there.
 * Runs still mid-step after `timeoutMs` are left to the same recovery as after a crash.
 */
export async function drain(timeoutMs: number) {
  state.__threadlineDraining = true;
  const held = localRunIds().map((id) => localRun(id)!);
  for (const run of held) run.requestHandoff();
  const deadline = new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
  await Promise.race([Promise.all(held.map((run) => run.handedOff)), deadline]);
}
