import type { MessageContent } from "@langchain/core/messages";
import { ChatOpenAI, ChatOpenAICompletions, type ChatOpenAIFields, ChatOpenAIResponses } from "@langchain/openai";
import { estimateTokens } from "../scripted-model";

/*
 * ChatOpenAI counts tokens (for its usage estimate after a streamed call) with a tiktoken encoding
 * that it downloads from the internet on first use, retrying for half a minute when it cannot. We
 * count locally instead, with the same estimate as elsewhere; the usage people see still comes from
 * the API's own report (streamUsage). Both of ChatOpenAI's inner APIs take the local count.
 */
const count = async (content: MessageContent) => estimateTokens(typeof content === "string" ? content : JSON.stringify(content));

class LocalCountCompletions extends ChatOpenAICompletions {
  override getNumTokens = count;
}
class LocalCountResponses extends ChatOpenAIResponses {
  override getNumTokens = count;
}

export function createOpenAIModel(fields: ChatOpenAIFields): ChatOpenAI {
  return new ChatOpenAI({ ...fields, completions: new LocalCountCompletions(fields), responses: new LocalCountResponses(fields) });
}
