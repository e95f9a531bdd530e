/** Memories: what the agent keeps about a user across conversations (no imports: client-safe). */

/** `profile`: stable preferences (name, language, units, tone), recalled on every model call; `fact`: recalled when relevant. */
export const MEMORY_KINDS = ["profile", "fact"] as const;
export type MemoryKind = (typeof MEMORY_KINDS)[number];

/** The longest memory, in characters; the database checks it too. */
export const MAX_MEMORY_LENGTH = 2_000;

/** A memory as the Memory page and "Used N memories" show it. */
export interface MemoryView {
  id: string;
  kind: MemoryKind;
  text: string;
  /** Where it came from; null once that conversation is deleted (or for a note from before memories). */
  threadId: string | null;
  messageId: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastRecalledAt: Date | null;
}
