import type { RunEvent } from "@/server/runs/events";
import { applyToTurn, emptySnapshot, type TurnSnapshot } from "@/server/runs/turn";

/** The answer being written right now, built from a run's events in the shape the checkpoint gives. */
export interface LiveTurn extends TurnSnapshot {
  runId: string;
  ended: (RunEvent & { type: "run-end" }) | null;
}

export const emptyTurn = (runId: string): LiveTurn => ({ ...emptySnapshot, runId, ended: null });

export function applyEvent(turn: LiveTurn, event: RunEvent): LiveTurn {
  return event.type === "run-end" ? { ...turn, ended: event } : applyToTurn(turn, event);
}
