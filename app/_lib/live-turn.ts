import type { AttachmentRef } from "@/lib/attachments";
import type { RunEvent } from "@/lib/run-events";
import type { TurnSnapshot } from "@/lib/run-events";
import { applyToTurn, emptySnapshot } from "@/lib/turn";

/** The answer being written right now, built from a run's events in the shape the checkpoint gives. */
export interface LiveTurn extends TurnSnapshot {
  runId: string;
  ended: (RunEvent & { type: "run-end" }) | null;
}

export const emptyTurn = (runId: string): LiveTurn => ({ ...emptySnapshot, runId, ended: null });

export function applyEvent(turn: LiveTurn, event: RunEvent): LiveTurn {
  return event.type === "run-end" ? { ...turn, ended: event } : applyToTurn(turn, event);
}

/**
 * A message on its way, shown before its run reports. `id`: the one the client named it with (a new
 * message), which its run and the history will use too. `forkAfter`: for an edit or regenerate,
 * the message the new branch continues from (null: the start).
 */
export interface PendingMessage {
  id?: string;
  text: string;
  attachments?: AttachmentRef[];
  forkAfter?: string | null;
}
