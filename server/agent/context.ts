import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { logger } from "@/server/observability/log";
import { textOf } from "@/lib/text";
import { estimateTokens } from "./scripted-model";
import { config } from "@/server/config";
import { attachmentTokens } from "./attachments";

/**
 * The older part of a conversation, as the model sees it once the whole no longer fits: a running
 * summary of every turn up to `through` (the id of the last message folded into it).
 */
export interface Summary {
  text: string;
  through: string;
}

/** Tokens the model is sent per call, at most: CONTEXT_BUDGET_TOKENS, 8,000 by default. */
export const contextBudget = () => config().CONTEXT_BUDGET_TOKENS;

/** When folding, go down to this share of the budget, so a fold (and a new summary) is rare. */
const FOLD_TO = 0.6;
/** The summary itself gets at most this share of the budget; its oldest lines go first. */
const SUMMARY_SHARE = 0.2;
const PER_MESSAGE = 4; // role and framing, as chat formats add

/**
 * Counted with a fast estimate (about four characters a token) rather than a provider's tokenizer:
 * the same for every provider, cheap, and on the safe side for English text.
 */
export const messageTokens = (m: BaseMessage) =>
  PER_MESSAGE + estimateTokens(textOf(m) + JSON.stringify((m as AIMessage).tool_calls ?? [])) + attachmentTokens(m, contextBudget());

export interface FittedContext {
  /** The messages sent as they are: the newest turns. */
  recent: BaseMessage[];
  summary: Summary | null;
  /** Whether the summary is new (the caller saves it in the state). */
  changed: boolean;
  tokens: number;
}

/**
 * Writes the running summary: the summary so far and the turns newly folded into it, in at most
 * `maxTokens`. The offline model's is extractive; a real model writes its own (see `modelSummarizer`).
 */
export type Summarizer = (previous: string, folded: BaseMessage[], maxTokens: number, signal?: AbortSignal) => Promise<string>;

export const extractiveSummarizer: Summarizer = async (previous, folded, maxTokens) => capSummary(joinLines(previous, summarize(folded)), maxTokens);

/**
 * Fits the conversation into `budget` tokens beside the system prompt: the newest turns as they are,
 * and everything older as the running summary, updated only by the turns it newly takes in. Turns
 * are cut at user messages, so a tool call never loses its result. The latest turn always stays.
 * When it must fold, it folds down to well under the budget, so a new summary is rarely needed.
 */
export async function fitContext(
  messages: BaseMessage[],
  previous: Summary | null,
  systemTokens: number,
  budget: number,
  summarizer: Summarizer = extractiveSummarizer,
  signal?: AbortSignal,
): Promise<FittedContext> {
  // From the end: what the summary has not taken in is a budget's worth, however long the conversation.
  let start = 0;
  if (previous) for (let i = messages.length - 1; i >= 0 && start === 0; i--) if (messages[i]!.id === previous.through) start = i + 1;
  // Not found: the summary belongs to another branch's history, and is rebuilt.
  const kept = start > 0 ? previous : null;
  const sizes = messages.slice(start).map(messageTokens);
  const summaryTokens = (s: Summary | null) => (s ? estimateTokens(s.text) + PER_MESSAGE : 0);
  const total = (from: number, s: Summary | null) => systemTokens + summaryTokens(s) + sizes.slice(from - start).reduce((a, b) => a + b, 0);
  const unchanged = () => ({ recent: messages.slice(start), summary: kept, changed: kept !== previous, tokens: total(start, kept) });
  if (total(start, kept) <= budget) return unchanged();

  const maxSummary = Math.floor(budget * SUMMARY_SHARE);
  const turnStarts = messages.flatMap((m, i) => (i > start && HumanMessage.isInstance(m) ? [i] : []));
  const lastTurn = turnStarts.at(-1) ?? start;
  let cut = start;
  for (const next of turnStarts) {
    if (next > lastTurn) break;
    cut = next;
    if (total(cut, null) + maxSummary <= budget * FOLD_TO) break;
  }
  if (cut === start) return unchanged();
  const text = capSummary(await summarizer(kept?.text ?? "", messages.slice(start, cut), maxSummary, signal), maxSummary);
  const summary = { text, through: messages[cut - 1]!.id! };
  return { recent: messages.slice(cut), summary, changed: true, tokens: total(cut, summary) };
}

const SUMMARY_PROMPT =
  "You keep a running summary of a conversation between a user and an assistant, so the assistant can continue it without the older messages. Update the summary with the new turns. Keep facts, names, numbers, decisions, the user's preferences and open questions; drop pleasantries. Write plain sentences or short bullets, at most MAX words, and nothing but the summary.";

/**
 * A real model writes the summary. Its tokens are tagged not to stream, so they never appear in the
 * answer being written; if it fails, the extractive summary stands in rather than failing the turn.
 */
export function modelSummarizer(model: BaseChatModel): Summarizer {
  return async (previous, folded, maxTokens, signal) => {
    const transcript = folded
      .map((m) =>
        HumanMessage.isInstance(m)
          ? `User: ${textOf(m)}`
          : AIMessage.isInstance(m) && textOf(m)
            ? `Assistant: ${textOf(m)}`
            : ToolMessage.isInstance(m)
              ? `Tool ${m.name ?? ""}: ${textOf(m)}`
              : "",
      )
      .filter(Boolean)
      .join("\n\n");
    try {
      const reply = await model.invoke(
        [
          new SystemMessage(SUMMARY_PROMPT.replace("MAX", String(Math.floor(maxTokens * 0.7)))),
          new HumanMessage(`Summary so far:\n${previous || "(none)"}\n\nNew turns:\n${transcript}`),
        ],
        { signal, tags: ["langsmith:nostream"] },
      );
      return textOf(reply).trim() || extractiveSummarizer(previous, folded, maxTokens);
    } catch (err) {
      if (signal?.aborted) throw err;
      logger().warn({ err }, "the model could not summarise; using an extractive summary");
      return extractiveSummarizer(previous, folded, maxTokens);
    }
  };
}

/** Extractive: each folded turn as one line, the question and the answer's opening. */
export function summarize(messages: BaseMessage[]): string {
  const lines: string[] = [];
  let question = "";
  let answer = "";
  const flush = () => {
    if (question || answer) lines.push(`- User: ${clip(question, 120)}${answer ? ` → Assistant: ${clip(answer, 160)}` : ""}`);
    question = answer = "";
  };
  for (const m of messages) {
    if (HumanMessage.isInstance(m)) {
      flush();
      question = textOf(m);
    } else if (AIMessage.isInstance(m) && textOf(m)) {
      answer = answer ? answer : textOf(m);
    } else if (ToolMessage.isInstance(m) && !answer) {
      answer = `(${m.name ?? "tool"}: ${textOf(m)})`;
    }
  }
  flush();
  return lines.join("\n");
}

const clip = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

const joinLines = (a: string, b: string) => [a, b].filter(Boolean).join("\n");

/** The newest lines that fit; a single line too long is cut. */
function capSummary(text: string, maxTokens: number): string {
  const lines = text.split("\n");
  while (lines.length > 1 && estimateTokens(lines.join("\n")) > maxTokens) lines.shift();
  const kept = lines.join("\n");
  return estimateTokens(kept) > maxTokens ? kept.slice(-maxTokens * 4) : kept;
}
