import type { RunEvent } from "@/server/runs/events";
import type { MessagePart } from "@/server/threads/messages";

/** The answer being written right now, built from a run's events in the shape the checkpoint gives. */
export interface LiveTurn {
  runId: string;
  userMessage: { id: string; text: string } | null;
  /** The turn's first AI message id: the id the finished turn will have in the history too. */
  assistantId: string | null;
  parts: MessagePart[];
  ended: RunEvent & { type: "run-end" } | null;
}

export const emptyTurn = (runId: string): LiveTurn => ({ runId, userMessage: null, assistantId: null, parts: [], ended: null });

export function applyEvent(turn: LiveTurn, event: RunEvent): LiveTurn {
  switch (event.type) {
    case "run-start":
      return { ...turn, userMessage: event.userMessage };
    case "message-start":
      return turn.assistantId ? turn : { ...turn, assistantId: event.messageId };
    case "text-delta": {
      const last = turn.parts.at(-1);
      if (last?.type === "text") return { ...turn, parts: [...turn.parts.slice(0, -1), { type: "text", text: last.text + event.delta }] };
      return { ...turn, parts: [...turn.parts, { type: "text", text: event.delta }] };
    }
    case "tool-call":
      return { ...turn, parts: [...turn.parts, { type: "tool", id: event.toolCallId, name: event.name, args: event.args, result: null }] };
    case "tool-result":
      return {
        ...turn,
        parts: turn.parts.map((p) => (p.type === "tool" && p.id === event.toolCallId ? { ...p, result: { content: event.content, isError: event.isError } } : p)),
      };
    case "run-end":
      return { ...turn, ended: event };
    default:
      return turn;
  }
}
