import type { StructuredToolInterface } from "@langchain/core/tools";
import { calculator } from "./calculator";
import { currentTime } from "./current-time";
import { metadataOf } from "./metadata";
import { forget, legacySaveNote, type MemoryToolDeps, recall, remember } from "./memory";

/** Tools that need nothing but their arguments. */
export const basicTools: StructuredToolInterface[] = [calculator, currentTime];

export const agentTools = (deps: MemoryToolDeps): StructuredToolInterface[] => [
  ...basicTools,
  remember(deps),
  forget(deps),
  recall(deps),
  legacySaveNote(deps),
];

/** Tools with side effects wait for the user's approval before they run. */
export const requiresApproval = (tool: StructuredToolInterface | undefined) => Boolean(metadataOf(tool).requiresApproval);
