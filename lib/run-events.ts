import type { AttachmentRef } from "./attachments";
import type { MessagePart, Step, TokenUsage } from "./messages";

/** The user's message as a run carries it: its files by reference. */
export interface SentMessage {
  id: string;
  text: string;
  attachments?: AttachmentRef[];
}

/** A turn as far as a run has written it: what a client shows, and what a snapshot carries. */
export interface TurnSnapshot {
  userMessage: SentMessage | null;
  /** For an edit or regenerate: the message the new branch continues from (null: the start). */
  forkAfter?: string | null;
  /** The turn's first AI message id: the id the finished turn will have in the history too. */
  assistantId: string | null;
  parts: MessagePart[];
}

/** What a run reports as it goes: the wire format of `chat.events`, the same on every transport. */
export type RunEvent =
  /** Sent only to a client that joins a run: the turn so far, in place of the events that built it. */
  | { type: "snapshot"; turn: TurnSnapshot }
  /** `forkAfter`: for an edit or regenerate, the message the new branch continues from (null: the start). */
  | { type: "run-start"; userMessage: SentMessage | null; forkAfter?: string | null }
  | { type: "message-start"; messageId: string }
  | { type: "text-delta"; messageId: string; delta: string }
  | { type: "tool-call"; messageId: string; toolCallId: string; name: string; args: Record<string, unknown> }
  | { type: "tool-result"; toolCallId: string; name: string; content: string; isError: boolean }
  /** Side-effecting calls about to be sent (recorded before they are): a takeover never sends them again. */
  | { type: "tool-start"; toolCallIds: string[] }
  /** A graph's step (see server/agent/graphs/steps.ts), reported once its node's checkpoint is saved. */
  | ({ type: "step" } & Step)
  | { type: "message-end"; messageId: string; usage: TokenUsage | null }
  | { type: "run-end"; status: RunOutcome; error: string | null };

/**
 * How a run ended. Interrupted: its server stopped mid-answer; the user can Continue it. Paused: the
 * agent waits for the user's approval of an action.
 */
export type RunOutcome = "succeeded" | "failed" | "cancelled" | "interrupted" | "paused";

export interface SequencedEvent {
  seq: number;
  event: RunEvent;
}

/** Event ids on the wire are `<runId>:<seq>`, so a reconnecting client resumes after the last one it saw. */
export const eventId = (runId: string, seq: number) => `${runId}:${seq}`;

export function seqAfter(lastEventId: string | null | undefined, runId: string): number {
  if (!lastEventId) return 0;
  const [id, seq] = lastEventId.split(":");
  const n = Number(seq);
  return id === runId && Number.isInteger(n) && n >= 0 ? n : 0;
}
