import type { BaseMessage } from "@langchain/core/messages";
import { Annotation } from "@langchain/langgraph";
import type { Step } from "@/lib/messages";

/**
 * A step as the checkpoint keeps it: `at` is how many messages the conversation held when it was
 * taken, so the history shows it where it happened (before the message at that index).
 */
export interface RecordedStep extends Step {
  at: number;
}

/** The longest label kept: a step is a line in the answer, not a report. */
const MAX_LABEL = 200;

/**
 * The `steps` channel: how any graph shows its steps in the UI. A node returns
 * `{ steps: [stepAt(state.messages, "check", "…")] }` with its update; Threadline reports each step
 * as a `step` run event once the node's checkpoint is saved (durable, shown again on reload, never
 * twice when a node is re-run after an interrupt) and the history keeps it in place.
 */
export const StepsAnnotation = Annotation.Root({
  steps: Annotation<RecordedStep[]>({ reducer: (all, more) => all.concat(more), default: () => [] }),
});

/** A step taken now, before any message this node adds. */
export function stepAt(messages: BaseMessage[], kind: string, label: string): RecordedStep {
  const text = label.replace(/\s+/g, " ").trim();
  return { kind, label: text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text, at: messages.length };
}
