import type { UiMessage } from "@/lib/messages";
import type { LiveTurn, PendingMessage } from "./live-turn";

/**
 * The conversation as shown: the loaded history up to where the turn being written begins
 * (`earlier`, messages the user may act on), then that turn. The live run replays its turn from the
 * start, so the history is cut where that turn begins: for an edit or regenerate, after the message
 * it forks from; otherwise before its user message, whichever of the history and the run's events
 * brought it back first.
 */
export function mergeTurn(history: UiMessage[], live: LiveTurn | null, pending: PendingMessage | null): { earlier: UiMessage[]; turn: UiMessage[] } {
  const forkAfter = live?.forkAfter !== undefined ? live.forkAfter : pending?.forkAfter;
  const cut =
    forkAfter !== undefined
      ? forkAfter === null
        ? 0
        : history.findIndex((m) => m.id === forkAfter) + 1
      : history.findIndex((m) => m.id === (live?.userMessage?.id ?? pending?.id));
  // Not in the history yet (or no user message, as for Continue): all of it comes before the turn.
  const earlier = cut >= 0 ? history.slice(0, cut) : history;
  const turn: UiMessage[] = [];
  const user = live?.userMessage ?? (pending ? { id: pending.id ?? "pending", text: pending.text, attachments: pending.attachments } : null);
  if (user) turn.push({ id: user.id, role: "user", text: user.text, ...(user.attachments?.length && { attachments: user.attachments }) });
  // The live turn uses the ids the history will give it, so when the finished turn replaces it React
  // keeps the same elements (an expanded tool row stays open).
  if (live)
    turn.push({
      id: live.assistantId ?? `live-${live.runId}`,
      role: "assistant",
      parts: live.parts,
      stopped: live.ended?.status === "cancelled",
      usage: null,
    });
  return { earlier, turn };
}
