import type { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { CallbackManager, Callbacks } from "@langchain/core/callbacks/manager";

/** Adds a handler to the callbacks LangGraph passes a node (which carry its streams), keeping them. */
export function withHandler(existing: Callbacks | undefined, handler: BaseCallbackHandler): Callbacks {
  if (!existing) return [handler];
  if (Array.isArray(existing)) return [...existing, handler];
  return (existing as CallbackManager).copy([handler]);
}
