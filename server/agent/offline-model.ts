import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { ScriptedChatModel, type Reply } from "./scripted-model";
import { textOf, withoutHiddenControls } from "@/lib/text";

/**
 * The built-in offline model: deterministic rules instead of a language model, so Threadline runs
 * (and its tests run) with no API key. It uses the same tools a real model would.
 */
export function createOfflineModel(tokenDelayMs: number) {
  return new ScriptedChatModel(offlinePlanner, { tokenDelayMs });
}

export const OFFLINE_INTRO = [
  "I'm Threadline's **offline demo model**: I run without an API key, and I follow a few fixed rules rather than understanding language. I can:",
  "",
  "- do arithmetic with the `calculator` tool. Try *what is 12\\*7?*",
  "- tell the time with the `current_time` tool. Try *what time is it in Asia/Tokyo?*",
  "- save notes with the `save_note` tool, once you approve. Try *remember that the spare key is under the mat*, then *what are my notes?*",
  "",
  "To chat with a real model, set `OPENAI_API_KEY` (add `OPENAI_BASE_URL` for any OpenAI-compatible server such as Ollama, vLLM or LM Studio), `ANTHROPIC_API_KEY`, or `OLLAMA_BASE_URL`, and restart Threadline.",
].join("\n");

export function offlinePlanner(messages: BaseMessage[], toolNames: string[]): Reply {
  const last = messages.at(-1);
  if (last && ToolMessage.isInstance(last)) return answerFromTools(messages);
  const text = last && HumanMessage.isInstance(last) ? textOf(last) : "";

  const notes = notesToSave(text);
  if (notes.length && toolNames.includes("save_note")) return { toolCalls: notes.map((note) => ({ name: "save_note", args: { text: note } })) };
  if (isNotesQuestion(text) && toolNames.includes("list_notes")) return { toolCalls: [{ name: "list_notes", args: {} }] };

  const expression = findExpression(text);
  if (expression && toolNames.includes("calculator")) return { toolCalls: [{ name: "calculator", args: { expression } }] };

  if (isTimeQuestion(text) && toolNames.includes("current_time")) {
    const timezone = /\b([A-Z][A-Za-z]+\/[A-Za-z_]+(?:\/[A-Za-z_]+)?)\b/.exec(text)?.[1];
    return { toolCalls: [{ name: "current_time", args: timezone ? { timezone } : {} }] };
  }
  return { text: OFFLINE_INTRO };
}

/** Answers from the results of the tool calls the previous message made. */
function answerFromTools(messages: BaseMessage[]): Reply {
  const results: ToolMessage[] = [];
  for (let i = messages.length - 1; i >= 0 && ToolMessage.isInstance(messages[i]); i--) results.unshift(messages[i] as ToolMessage);
  const caller = messages[messages.length - 1 - results.length];
  const calls = caller && AIMessage.isInstance(caller) ? (caller.tool_calls ?? []) : [];
  const lines = results.map((result) => {
    const call = calls.find((c) => c.id === result.tool_call_id);
    const output = textOf(result);
    if (output.startsWith("The user rejected")) {
      const reason = /Their reason: ([\s\S]*)$/.exec(output)?.[1];
      return `Understood, I did not ${call?.name === "save_note" ? "save that note" : "do that"}.${reason ? ` You said: “${reason}”` : ""}`;
    }
    if (output.startsWith("Error")) return `That didn't work: ${output.replace(/^Error:\s*/, "")}`;
    if (call?.name === "save_note") return `Done: I saved the note “${String(call.args.text)}”.`;
    if (call?.name === "list_notes") return output.startsWith("-") ? `Your notes:\n\n${output}` : "You have no notes yet.";
    if (call?.name === "calculator") return `${String(call.args.expression).trim()} = **${output}**`;
    if (call?.name === "current_time") return `It is **${output}**.`;
    return output;
  });
  return { text: lines.join("\n\n") || "I have no result to report." };
}

/**
 * Runs of arithmetic characters, each with the function name just before it. A run is taken whole
 * and trimmed afterwards: a pattern that must end on a digit backtracks over every start in a run
 * that never does ("((((…"), which is quadratic in the message's length.
 */
const ARITHMETIC_RUNS = /(sqrt|abs|round|floor|ceil|ln|log|sin|cos|tan|min|max)?([\d\s.,+\-*/×÷^%()]+)/gi;

/** The first run of arithmetic in the text, e.g. "12*7" in "what is 12*7?". */
export function findExpression(text: string): string | null {
  for (const [, name, run] of text.matchAll(ARITHMETIC_RUNS)) {
    // From the first digit, "(" or "." to the last digit or ")" after it.
    const start = run!.search(/[\d(.]/);
    let end = run!.length - 1;
    while (end > start && !/[\d)]/.test(run![end]!)) end--;
    if (start < 0 || end <= start) continue;
    const candidate = `${start === 0 && name ? name : ""}${run!.slice(start, end + 1)}`.trim();
    if (/\d\s*[-+*/×÷^%]\s*[\d(]|\w\(/.test(candidate)) return candidate;
  }
  return null;
}

/** "Remember that A. Remember that B." asks for two notes, saved in one step. */
export function notesToSave(text: string): string[] {
  return [...text.matchAll(/\bremember that\s+([^\n.!?]+)/gi)].map((m) => m[1]!.trim()).filter(Boolean);
}

const isNotesQuestion = (text: string) => /\b(my notes|list (?:the |my )?notes|what do you remember|show (?:me )?(?:my )?notes)\b/i.test(text);

const isTimeQuestion = (text: string) => /\b(what time|time is it|current time|the time|what day|what date|today's date|date today)\b/i.test(text);

/** A short title from the first message: its first words, tidied. */
export function deriveTitle(text: string): string {
  const words = withoutHiddenControls(text).replace(/\s+/g, " ").trim().split(" ").slice(0, 6).join(" ");
  const clipped = words.length > 60 ? `${words.slice(0, 57).trimEnd()}…` : words;
  const tidy = clipped.replace(/[\s.,;:!?*+\-/=^%(]+$/, "");
  return tidy ? tidy[0]!.toUpperCase() + tidy.slice(1) : "New chat";
}
