import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { and, eq, sql } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import type { DB } from "@/db/client";
import { threads } from "@/db/schema";
import type { Agent } from "@/server/agent";
import { ModelTimeoutError } from "@/server/agent/nodes/model";
import { makeTitle } from "@/server/agent/title";
import { DEFAULT_TITLE } from "@/server/threads/queries";
import type { ActiveRun } from "./active-run";
import { registerRun, releaseRun } from "./registry";
import { StreamTranslator } from "./translate";

export interface StartRun {
  db: DB;
  agent: Agent;
  userId: string;
  threadId: string;
  /** The user's new message; null continues the thread from its last checkpoint (Retry). */
  text: string | null;
}

/**
 * Starts a run and returns at once: the run belongs to the server, not to the request that began it.
 * Its events go to the run's log, which `chat.events` subscribers read.
 */
export function startRun({ db, agent, userId, threadId, text }: StartRun): ActiveRun {
  const run = registerRun(threadId, userId);
  const userMessage = text === null ? null : new HumanMessage({ id: randomUUID(), content: text });
  run.push({ type: "run-start", userMessage: userMessage ? { id: userMessage.id!, text: text! } : null });
  void execute(run, { db, agent, userMessage, text });
  return run;
}

async function execute(run: ActiveRun, ctx: { db: DB; agent: Agent; userMessage: HumanMessage | null; text: string | null }) {
  const { db, agent, userMessage } = ctx;
  // Made alongside the answer, and saved before the run ends, so the sidebar shows it at once.
  const title = ctx.text ? titleFor(db, agent, run.threadId, ctx.text) : Promise.resolve(null);
  const config = { configurable: { thread_id: run.threadId }, signal: run.controller.signal, recursionLimit: 60 };
  const translator = new StreamTranslator((event) => run.push(event));
  try {
    await db.update(threads).set({ updatedAt: sql`now()` }).where(eq(threads.id, run.threadId));
    const stream = await agent.graph.stream(userMessage ? { messages: [userMessage] } : null, { ...config, streamMode: ["messages", "updates"] });
    for await (const [mode, chunk] of stream) translator.handle(mode, chunk);
    await saveTitle(db, run.threadId, await title);
    run.push({ type: "run-end", status: "succeeded", error: null });
  } catch (err) {
    if (run.controller.signal.aborted) {
      await keepPartialAnswer(agent, run.threadId, translator.partial).catch((e) => console.error(`[run ${run.id}] could not save the stopped answer:`, e));
      await saveTitle(db, run.threadId, await title);
      run.push({ type: "run-end", status: "cancelled", error: null });
    } else {
      console.error(`[run ${run.id}] failed:`, err);
      run.push({ type: "run-end", status: "failed", error: describeFailure(err) });
    }
  } finally {
    releaseRun(run);
  }
}

/**
 * A stopped answer stays in the conversation as far as it got, marked as stopped. Tool calls it
 * left unanswered get a "cancelled" result, so the history stays valid for every provider.
 */
async function keepPartialAnswer(agent: Agent, threadId: string, partial: { id: string; text: string } | null) {
  const config = { configurable: { thread_id: threadId } };
  const state = await agent.graph.getState(config);
  const last = state.values.messages?.at(-1);
  const pendingCalls = last && AIMessage.isInstance(last) ? last.tool_calls ?? [] : [];
  if (pendingCalls.length) {
    const cancelled = pendingCalls.map((c) => new ToolMessage({ tool_call_id: c.id ?? "", name: c.name, content: "Cancelled: the user stopped the answer." }));
    await agent.graph.updateState(config, { messages: cancelled }, "tools");
  } else if (last && AIMessage.isInstance(last) && !partial) {
    return; // the answer had already finished
  }
  const stopped = new AIMessage({ id: partial?.id ?? randomUUID(), content: partial?.text ?? "", response_metadata: { stopped: true } });
  await agent.graph.updateState(config, { messages: [stopped] }, "model");
}

/** A title from this message if the thread has none yet (nor one the user gave it). */
async function titleFor(db: DB, agent: Agent, threadId: string, text: string): Promise<string | null> {
  try {
    const [row] = await db.select({ title: threads.title }).from(threads).where(eq(threads.id, threadId));
    return row?.title === DEFAULT_TITLE ? await makeTitle(agent, text) : null;
  } catch (err) {
    console.error(`[thread ${threadId}] could not make a title:`, err);
    return null;
  }
}

/** Only over the default title: a rename made while the answer was written wins. */
async function saveTitle(db: DB, threadId: string, title: string | null) {
  if (!title) return;
  await db
    .update(threads)
    .set({ title })
    .where(and(eq(threads.id, threadId), eq(threads.title, DEFAULT_TITLE)))
    .catch((err) => console.error(`[thread ${threadId}] could not save its title:`, err));
}

/** What the user reads when an answer fails: the cause in plain words, never a stack trace. */
export function describeFailure(err: unknown): string {
  const e = err as { status?: number; code?: string; name?: string } | null;
  if (err instanceof ModelTimeoutError) return `${err.message}, even after retrying.`;
  if (e?.status === 401 || e?.status === 403) return "The model provider rejected Threadline's credentials. Check the API key.";
  if (e?.status === 404) return "The model provider does not know this model. Check LLM_MODEL.";
  if (e?.status === 429) return "The model provider is limiting requests right now, even after retrying. Try again in a moment.";
  if (typeof e?.status === "number" && e.status >= 500) return `The model provider had a server error (${e.status}), even after retrying.`;
  if (e?.code === "ECONNREFUSED" || e?.code === "ECONNRESET" || e?.name === "APIConnectionError") return "Could not reach the model provider.";
  return "Something went wrong while answering.";
}
