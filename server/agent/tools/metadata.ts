import type { StructuredToolInterface } from "@langchain/core/tools";

/** What a tool says of itself beyond its schema: whether it needs approval, touches memory, is kept only for old calls. */
export const metadataOf = (tool: StructuredToolInterface | undefined): Record<string, unknown> =>
  (tool as { metadata?: Record<string, unknown> } | undefined)?.metadata ?? {};
