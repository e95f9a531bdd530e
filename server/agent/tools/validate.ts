import type { Agent } from "@/server/agent";
import { Invalid } from "@/server/errors";

/**
 * Arguments the user edited must still fit the tool's schema; the message names what is wrong.
 * Looked up by the pending call's tool, which the client does not choose.
 */
export function validateToolArgs(agent: Agent, toolName: string, args: Record<string, unknown>) {
  const tool = agent.tools.find((t) => t.name === toolName);
  const schema = tool?.schema as { safeParse?: (v: unknown) => { success: boolean; error?: { issues: { message: string }[] } } } | undefined;
  if (!schema?.safeParse) return;
  const result = schema.safeParse(args);
  if (!result.success) throw new Invalid(result.error?.issues.map((i) => i.message).join("; ") ?? "Invalid arguments");
}
