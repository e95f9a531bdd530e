import type { StructuredToolInterface } from "@langchain/core/tools";
import { calculator } from "./calculator";
import { currentTime } from "./current-time";
import { metadataOf } from "./metadata";
import { forget, legacySaveNote, type MemoryToolDeps, recall, remember } from "./memory";

/** Tools that need nothing but their arguments. */
export const basicTools: StructuredToolInterface[] = [calculator, currentTime];

/** The memory tools, which an agent has when it uses memory. */
export const memoryTools = (deps: MemoryToolDeps): StructuredToolInterface[] => [remember(deps), forget(deps), recall(deps), legacySaveNote(deps)];

/** The built-in agent's tools. */
export const agentTools = (deps: MemoryToolDeps): StructuredToolInterface[] => [...basicTools, ...memoryTools(deps)];

/** Tools with side effects wait for the user's approval before they run. */
export const requiresApproval = (tool: StructuredToolInterface | undefined) => Boolean(metadataOf(tool).requiresApproval);

/**
 * The agent's tools as they are now: MCP tools come and go with their servers, so the graph asks
 * at each step. The same array comes back while nothing changed.
 */
export type ToolSource = () => StructuredToolInterface[];

export const toolSource = (tools: StructuredToolInterface[] | ToolSource): ToolSource => (typeof tools === "function" ? tools : () => tools);

/** MCP tools are named `<server>__<tool>`; no built-in name has a double underscore. */
export const isMcpToolName = (name: string) => name.includes("__");

/**
 * Whether a call waits for the user. A call to an MCP tool the agent does not have right now (its
 * server is down, or not yet listed) waits too: it may be back by the time the call runs.
 */
export const callNeedsApproval = (tools: StructuredToolInterface[], name: string) => {
  const tool = tools.find((t) => t.name === name);
  return tool ? requiresApproval(tool) : isMcpToolName(name);
};

/**
 * A value made from the tools, made again only when the array changes: the model's binding and the
 * tools node are rebuilt when the agent's tools change, not at every step.
 */
export function whenChanged<T>(make: (tools: StructuredToolInterface[]) => T): (tools: StructuredToolInterface[]) => T {
  let last: { tools: StructuredToolInterface[]; value: T } | null = null;
  return (tools) => {
    if (last?.tools !== tools) last = { tools, value: make(tools) };
    return last.value;
  };
}
