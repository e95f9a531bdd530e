import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { Agent } from ".";
import { withoutHiddenControls } from "@/lib/text";
import { deriveTitle } from "./offline-model";

/** A short title for a conversation from its first message: the model's, or the first words. */
export async function makeTitle(agent: Agent, firstMessage: string): Promise<string> {
  if (agent.choice.provider === "offline") return deriveTitle(firstMessage);
  try {
    const reply = await agent.model.invoke(
      [
        new SystemMessage("Write a title of at most six words for a conversation that starts with the user's message. Reply with the title only, no quotes."),
        new HumanMessage(firstMessage.slice(0, 2000)),
      ],
      { signal: AbortSignal.timeout(15_000) },
    );
    const title = withoutHiddenControls(String(reply.content))
      .replace(/["'`*#]/g, "")
      .replace(/\s+/g, " ")
      .trim()
      .slice(0, 80);
    return title || deriveTitle(firstMessage);
  } catch {
    return deriveTitle(firstMessage);
  }
}
