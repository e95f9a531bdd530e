import { AIMessage, type BaseMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import type { MemoryKind } from "@/lib/memory";
import { textOf, withoutHiddenControls } from "@/lib/text";
import { memoriesIn } from "@/server/memory/prompt";
import type { Recalled } from "@/server/memory/recall";
import { failedInLastRound, phaseIn, type ResearchPhase, roundsThisTurn, type ToolCall } from "./graphs/research-rounds";
import { ScriptedChatModel, type Reply } from "./scripted-model";
import { attachmentsIn } from "./attachments";

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
  "- remember things across conversations with the `remember` tool, once you approve. Try *remember that I prefer metric units*, then in a new chat *what do you know about me?* or *what units do I prefer?*",
  "",
  "To chat with a real model, set `OPENAI_API_KEY` (add `OPENAI_BASE_URL` for any OpenAI-compatible server such as Ollama, vLLM or LM Studio), `ANTHROPIC_API_KEY`, or `OLLAMA_BASE_URL`, and restart Threadline.",
].join("\n");

export function offlinePlanner(messages: BaseMessage[], toolNames: string[]): Reply {
  // The Research agent says in its system message which of its steps a call is for.
  const system = messages[0] && SystemMessage.isInstance(messages[0]) ? textOf(messages[0]) : "";
  const phase = phaseIn(system);
  const researched = phase && researchReply(phase, messages, toolNames);
  if (researched) return researched;
  const last = messages.at(-1);
  if (last && ToolMessage.isInstance(last)) return answerFromTools(messages);
  const text = last && HumanMessage.isInstance(last) ? textOf(last) : "";
  // What recall put in the system message for this message: the same text a real model reads.
  const first = messages[0];
  const recalled = first && SystemMessage.isInstance(first) ? memoriesIn(textOf(first)) : [];
  const memoryOn = toolNames.includes("remember");
  // Files are acknowledged from what the model call was sent: the path from upload to model, testable with no key.
  const files = last ? attachmentsIn(last) : [];
  if (files.length) return { text: acknowledge(files) };

  const toRemember = memoriesToSave(text);
  if (toRemember.length && memoryOn) {
    const known = toRemember.map((t) => recalled.find((m) => m.text.toLowerCase() === t.toLowerCase()));
    if (known.every(Boolean)) return { text: known.map((m) => `I already remember that: “${m!.text}”.`).join("\n\n") };
    return { toolCalls: toRemember.map((t) => ({ name: "remember", args: rememberArgs(t, recalled) })) };
  }
  const toForget = /\bforget (?:that|about)\s+([^\n.!?]+)/i.exec(text)?.[1];
  if (toForget && toolNames.includes("forget")) {
    const match = closest(toForget, recalled);
    return match ? { toolCalls: [{ name: "forget", args: { id: match.id } }] } : { text: "I don't remember anything like that." };
  }
  if (isAboutMe(text)) return { text: aboutMe(recalled, memoryOn) };
  if (isListRequest(text) && toolNames.includes("recall")) return { toolCalls: [{ name: "recall", args: {} }] };

  // An MCP tool the agent was given, named by the user: "use echo with hello" calls `<server>__echo` with { text: "hello" }.
  const named = /^use ([A-Za-z0-9_.-]+) with ([\s\S]+)$/i.exec(text.trim());
  const mcpTool = named && toolNames.find((n) => n.endsWith(`__${named[1]}`));
  if (mcpTool) return { toolCalls: [{ name: mcpTool, args: { text: named[2]! } }] };

  const expression = findExpression(text);
  if (expression && toolNames.includes("calculator")) return { toolCalls: [{ name: "calculator", args: { expression } }] };

  if (isTimeQuestion(text) && toolNames.includes("current_time")) {
    const timezone = /\b([A-Z][A-Za-z]+\/[A-Za-z_]+(?:\/[A-Za-z_]+)?)\b/.exec(text)?.[1];
    return { toolCalls: [{ name: "current_time", args: timezone ? { timezone } : {} }] };
  }
  // A question one of the recalled memories speaks to is answered from it: the one sharing the most
  // words, or else the fact recall ranked first (facts are recalled only for being relevant).
  const relevant = isQuestion(text) ? (closest(text, recalled) ?? recalled.find((m) => m.kind === "fact") ?? null) : null;
  if (relevant) return { text: `You told me: “${relevant.text}”.` };
  return { text: OFFLINE_INTRO };
}

/** Each file by name, type and size; a document by its first line too. */
function acknowledge(files: ReturnType<typeof attachmentsIn>): string {
  const lines = files.map((f) => {
    const first = f.firstLine?.trim();
    return `- **${f.name}** (${f.type}, ${f.size})${first ? `, first line: “${first.length > 120 ? `${first.slice(0, 119)}…` : first}”` : ""}`;
  });
  const seen = files.length === 1 ? "I received 1 file" : `I received ${files.length} files`;
  return `${seen}:\n\n${lines.join("\n")}\n\nI'm the offline demo model, so I can't see images or understand documents, but a real model is sent them.`;
}

/** Answers from the results of the tool calls the previous message made. */
function answerFromTools(messages: BaseMessage[]): Reply {
  const results: ToolMessage[] = [];
  for (let i = messages.length - 1; i >= 0 && ToolMessage.isInstance(messages[i]); i--) results.unshift(messages[i] as ToolMessage);
  const caller = messages[messages.length - 1 - results.length];
  const calls = caller && AIMessage.isInstance(caller) ? (caller.tool_calls ?? []) : [];
  const lines = results.map((result) =>
    resultLine(
      calls.find((c) => c.id === result.tool_call_id),
      textOf(result),
    ),
  );
  return { text: lines.join("\n\n") || "I have no result to report." };
}

/**
 * The Research agent's steps, offline. Plan: every calculation and every time zone in the question
 * is a lookup of its own, all called at once. Retry: a failed calculation with unbalanced
 * parentheses or decimal commas is called again corrected, a failed time zone as UTC. Answer: each
 * lookup's final result, saying what was corrected. Null: the chat agent's rules decide.
 */
function researchReply(phase: ResearchPhase, messages: BaseMessage[], toolNames: string[]): Reply | null {
  if (phase === "plan") {
    const last = messages.at(-1);
    const text = last && HumanMessage.isInstance(last) ? textOf(last) : "";
    if (memoriesToSave(text).length) return null;
    const lookups: NonNullable<Reply["toolCalls"]> = [];
    if (toolNames.includes("calculator")) lookups.push(...findExpressions(text).map((expression) => ({ name: "calculator", args: { expression } })));
    if (toolNames.includes("current_time") && isTimeQuestion(text)) {
      const zones = [...text.matchAll(/\b([A-Z][A-Za-z]+\/[A-Za-z_]+(?:\/[A-Za-z_]+)?)\b/g)].map((m) => m[1]!);
      lookups.push(...(zones.length ? zones.map((timezone) => ({ name: "current_time", args: { timezone } })) : [{ name: "current_time", args: {} }]));
    }
    return lookups.length ? { toolCalls: lookups } : null;
  }
  if (phase === "retry") {
    const again = failedInLastRound(messages).flatMap((f) => {
      const args = corrected(f.call);
      return args ? [{ name: f.call.name, args }] : [];
    });
    return again.length ? { toolCalls: again } : { text: "" };
  }
  const rounds = roundsThisTurn(messages);
  if (rounds.length === 0) return null;
  // A retried call takes the place of the failed call it corrects.
  const final = rounds[0]!.map((r) => ({ ...r, tried: [] as (typeof rounds)[0] }));
  for (const round of rounds.slice(1)) {
    for (const r of round) {
      const slot = final.find((f) => f.call.name === r.call.name && f.outcome === "failed");
      if (slot)
        Object.assign(slot, {
          call: r.call,
          result: r.result,
          outcome: r.outcome,
          tried: [...slot.tried, { call: slot.call, result: slot.result, outcome: slot.outcome }],
        });
      else final.push({ ...r, tried: [] });
    }
  }
  const lines = final.map((f) => {
    const line = resultLine(f.call, f.result ? textOf(f.result) : "Error: no result");
    const first = f.tried[0];
    if (!first) return line;
    const error = (first.result ? textOf(first.result) : "").replace(/^Error:\s*/, "") || "no result";
    return `${line} (my first try, \`${String(Object.values(first.call.args)[0] ?? "")}\`, failed: ${error}; I corrected it.)`;
  });
  return { text: lines.join("\n\n") };
}

/** A failed call's arguments corrected, when the offline rules know how; null when they do not. */
function corrected(call: ToolCall): Record<string, unknown> | null {
  if (call.name === "current_time") return call.args.timezone ? {} : null;
  if (call.name !== "calculator") return null;
  const before = String(call.args.expression ?? "");
  const decimal = before.replace(/(\d),(\d)/g, "$1.$2");
  const open = (decimal.match(/\(/g) ?? []).length - (decimal.match(/\)/g) ?? []).length;
  const balanced = open > 0 ? decimal + ")".repeat(open) : open < 0 ? decimal.replace(new RegExp(`\\){${-open}}$`), "") : decimal;
  return balanced !== before ? { expression: balanced } : null;
}

/** What the answer says about one tool call's result. */
function resultLine(call: ToolCall | undefined, output: string): string {
  const remembering = call?.name === "remember" || call?.name === "save_note";
  if (output.startsWith("The user rejected")) {
    const reason = /Their reason: ([\s\S]*)$/.exec(output)?.[1];
    const what = remembering ? "remember that" : call?.name === "forget" ? "forget that" : "do that";
    return `Understood, I did not ${what}.${reason ? ` You said: “${reason}”` : ""}`;
  }
  if (output.startsWith("Error")) return `That didn't work: ${output.replace(/^Error:\s*/, "")}`;
  if (remembering && call?.args.id) return `Done: I updated the memory to “${String(call.args.text)}”.`;
  if (remembering) return `Done: I'll remember “${String(call?.args.text)}”.`;
  if (call?.name === "forget") {
    const forgotten = /^Forgot: (".*")$/s.exec(output)?.[1];
    return forgotten ? `Done: I forgot “${JSON.parse(forgotten) as string}”.` : output;
  }
  if (call?.name === "recall") {
    const found = memoriesIn(output);
    return found.length ? `Here is what I remember:\n\n${found.map((m) => `- ${m.text}`).join("\n")}` : "I don't remember anything yet.";
  }
  if (call?.name === "calculator") return `${String(call.args.expression).trim()} = **${output}**`;
  if (call?.name === "current_time") return `It is **${output}**.`;
  return output;
}

/** Words that say what a sentence is about: no stop words, plurals as singulars. */
const STOP = new Set(
  "a an the i me my mine you your we our it its is am are was were be been do does did what which who whom where when why how that this these those to of in on at for with about and or not no yes please tell remember forget know".split(
    " ",
  ),
);
const contentWords = (text: string) =>
  new Set((text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOP.has(w)).map((w) => (w.length > 3 ? w.replace(/s$/, "") : w)));

/** The recalled memory sharing the most words with the text, if any shares one. */
function closest(text: string, recalled: Recalled[]): Recalled | null {
  const words = contentWords(text);
  let best: Recalled | null = null;
  let bestShared = 0;
  for (const m of recalled) {
    const shared = [...contentWords(m.text)].filter((w) => words.has(w)).length;
    if (shared > bestShared) [best, bestShared] = [m, shared];
  }
  return best;
}

/** Stable preferences are profile memories; anything else is a fact. */
const kindOf = (text: string): MemoryKind =>
  /\b(prefer|preference|my name|call me|speak|language|units|tone|pronouns|time ?zone)\b/i.test(text) ? "profile" : "fact";

/**
 * A new memory, or a correction of a recalled one of the same kind it mostly repeats ("I prefer
 * imperial units" after "I prefer metric units"): then by its id, so it replaces it.
 */
function rememberArgs(text: string, recalled: Recalled[]): Record<string, unknown> {
  const kind = kindOf(text);
  const words = contentWords(text);
  const corrected = recalled.find((m) => {
    if (m.kind !== kind) return false;
    const theirs = contentWords(m.text);
    const shared = [...theirs].filter((w) => words.has(w)).length;
    return shared >= 2 && shared * 2 >= Math.min(theirs.size, words.size);
  });
  return corrected ? { text, kind, id: corrected.id } : { text, kind };
}

function aboutMe(recalled: Recalled[], memoryOn: boolean): string {
  if (!memoryOn) return "Memory is off for this conversation, so I don't bring anything from other conversations into it.";
  if (recalled.length === 0) return "I don't remember anything about you yet. Tell me something to keep, e.g. *remember that I prefer metric units*.";
  return `Here is what I remember about you:\n\n${recalled.map((m) => `- ${m.text}`).join("\n")}`;
}

/**
 * Runs of arithmetic characters, each with the function name just before it. A run is taken whole
 * and trimmed afterwards: a pattern that must end on a digit backtracks over every start in a run
 * that never does ("((((…"), which is quadratic in the message's length.
 */
const ARITHMETIC_RUNS = /(sqrt|abs|round|floor|ceil|ln|log|sin|cos|tan|min|max)?([\d\s.,+\-*/×÷^%()]+)/gi;

/** The first run of arithmetic in the text, e.g. "12*7" in "what is 12*7?". */
export const findExpression = (text: string): string | null => findExpressions(text)[0] ?? null;

/** Every run of arithmetic in the text, in order. */
export function findExpressions(text: string): string[] {
  const found: string[] = [];
  for (const [, name, run] of text.matchAll(ARITHMETIC_RUNS)) {
    // From the first digit, "(" or "." to the last digit or ")" after it.
    const start = run!.search(/[\d(.]/);
    let end = run!.length - 1;
    while (end > start && !/[\d)]/.test(run![end]!)) end--;
    if (start < 0 || end <= start) continue;
    const candidate = `${start === 0 && name ? name : ""}${run!.slice(start, end + 1)}`.trim();
    if (/\d\s*[-+*/×÷^%]\s*[\d(]|\w\(/.test(candidate)) found.push(candidate);
  }
  return found;
}

/** "Remember that A. Remember that B." asks for two memories, saved in one step. */
export function memoriesToSave(text: string): string[] {
  return [...text.matchAll(/\bremember that\s+([^\n.!?]+)/gi)].map((m) => m[1]!.trim()).filter(Boolean);
}

const isAboutMe = (text: string) => /\b(what do you (?:know|remember) about me|what have i told you|who am i)\b/i.test(text);

const isListRequest = (text: string) =>
  /\b(my (?:notes|memories)|list (?:the |my )?(?:notes|memories)|what do you remember|show (?:me )?(?:my )?(?:notes|memories))\b/i.test(text);

const isQuestion = (text: string) => /\?\s*$/.test(text) || /^\s*(what|which|who|where|when|how|do|does|did|am|is|are|can)\b/i.test(text);

const isTimeQuestion = (text: string) => /\b(what time|time is it|current time|the time|what day|what date|today's date|date today)\b/i.test(text);

/** A short title from the first message: its first words, tidied. */
export function deriveTitle(text: string): string {
  const words = withoutHiddenControls(text).replace(/\s+/g, " ").trim().split(" ").slice(0, 6).join(" ");
  const clipped = words.length > 60 ? `${words.slice(0, 57).trimEnd()}…` : words;
  const tidy = clipped.replace(/[\s.,;:!?*+\-/=^%(]+$/, "");
  return tidy ? tidy[0]!.toUpperCase() + tidy.slice(1) : "New chat";
}
