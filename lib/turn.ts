import type { RunEvent, SequencedEvent, TurnSnapshot } from "./run-events";

export const emptySnapshot: TurnSnapshot = { userMessage: null, assistantId: null, parts: [] };

/** Folds one event into a turn. The server builds snapshots with it and the browser live turns. */
export function applyToTurn<T extends TurnSnapshot>(turn: T, event: RunEvent): T {
  switch (event.type) {
    case "snapshot":
      return { ...turn, ...event.turn };
    case "run-start":
      return { ...turn, userMessage: event.userMessage, ...(event.forkAfter !== undefined && { forkAfter: event.forkAfter }) };
    case "message-start":
      return turn.assistantId ? turn : { ...turn, assistantId: event.messageId };
    case "text-delta": {
      const last = turn.parts.at(-1);
      if (last?.type === "text") return { ...turn, parts: [...turn.parts.slice(0, -1), { type: "text", text: last.text + event.delta }] };
      return { ...turn, parts: [...turn.parts, { type: "text", text: event.delta }] };
    }
    case "tool-call": {
      // A call seen again carries the arguments the user edited before approving it.
      if (turn.parts.some((p) => p.type === "tool" && p.id === event.toolCallId)) {
        return { ...turn, parts: turn.parts.map((p) => (p.type === "tool" && p.id === event.toolCallId ? { ...p, args: event.args } : p)) };
      }
      return { ...turn, parts: [...turn.parts, { type: "tool", id: event.toolCallId, name: event.name, args: event.args, result: null }] };
    }
    case "step":
      return { ...turn, parts: [...turn.parts, { type: "step", kind: event.kind, label: event.label }] };
    case "tool-result":
      return {
        ...turn,
        parts: turn.parts.map((p) =>
          p.type === "tool" && p.id === event.toolCallId ? { ...p, result: { content: event.content, isError: event.isError } } : p,
        ),
      };
    default:
      return turn;
  }
}

/**
 * What a client that starts watching a run gets first: everything written so far folded into one
 * snapshot (numbered as the last event it covers), then the ending if there is one. A long answer
 * costs a joining client one event instead of hundreds, and numbering stays that of the log, so
 * the client's next reconnect resumes right after it.
 */
export function withSnapshot(backlog: SequencedEvent[]): SequencedEvent[] {
  const end = backlog.findIndex((e) => e.event.type === "run-end");
  const head = end < 0 ? backlog : backlog.slice(0, end);
  if (head.length === 0) return backlog.slice(0, end + 1);
  const turn = head.reduce((t, e) => applyToTurn(t, e.event), emptySnapshot);
  return [{ seq: head.at(-1)!.seq, event: { type: "snapshot", turn } }, ...(end < 0 ? [] : [backlog[end]!])];
}
