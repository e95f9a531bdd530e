import type { AttachmentRef } from "./attachments";

/** Tokens an answer used, as the provider reported them. */
export interface TokenUsage {
  input: number;
  output: number;
}

/** How the user decided on an action the agent asked to take. */
export type ApprovalStatus = "pending" | "approved" | "edited" | "rejected";

/** Where a message sits among its versions (edits, regenerations). */
export interface BranchInfo {
  index: number;
  count: number;
  previousId: string | null;
  nextId: string | null;
}

/**
 * A step of a multi-step agent (the Research agent's plan, check, retry, answer; a custom graph's
 * own kinds): a short label shown in the answer where it happened.
 */
export interface Step {
  kind: string;
  label: string;
}

export type MessagePart =
  | { type: "text"; text: string }
  | ({ type: "step" } & Step)
  | {
      type: "tool";
      id: string;
      name: string;
      args: Record<string, unknown>;
      result: { content: string; isError: boolean } | null;
      /** How the user decided, for an action that needed approval. */
      approval?: { status: ApprovalStatus; reason: string | null };
    };

/**
 * `branch`: where the message sits among its versions (edits, regenerations), when it has any.
 * `memories`: the ids of the memories recalled for the answer (its model calls', together).
 */
export type UiMessage =
  | { id: string; role: "user"; text: string; branch?: BranchInfo; attachments?: AttachmentRef[] }
  | {
      id: string;
      role: "assistant";
      parts: MessagePart[];
      stopped: boolean;
      usage: TokenUsage | null;
      branch?: BranchInfo;
      memories?: string[];
      /** The configured model that wrote it, for answers written since that was recorded. */
      model?: string;
      /** What the UI calls that model (shown on hover over the answer). */
      modelLabel?: string;
    };
