import type { StructuredToolInterface } from "@langchain/core/tools";
import type { DB } from "@/db/client";
import { calculator } from "./calculator";
import { currentTime } from "./current-time";
import { listNotes, saveNote } from "./notes";

/** Tools that need nothing but their arguments. */
export const basicTools: StructuredToolInterface[] = [calculator, currentTime];

export const agentTools = (db: DB): StructuredToolInterface[] => [...basicTools, saveNote(db), listNotes(db)];

/** Tools with side effects wait for the user's approval before they run. */
export const requiresApproval = (tool: StructuredToolInterface | undefined) =>
  Boolean((tool as { metadata?: Record<string, unknown> } | undefined)?.metadata?.requiresApproval);
