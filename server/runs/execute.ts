import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { and, eq, sql } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import type { DB } from "@/db/client";
import { type Run, threads } from "@/db/schema";
import type { Agent } from "@/server/agent";
import { ModelTimeoutError } from "@/server/agent/nodes/model";
import { makeTitle } from "@/server/agent/title";
import { DEFAULT_TITLE } from "@/server/threads/queries";
import { ActiveRun } from "./active-run";
import type { RunEvent } from "./events";
import { releaseForTakeover } from "./drain";
import { holdRun, releaseRun } from "./registry";
import { appendEvents, createRun, MAX_RUN_EVENTS, readEvents } from "./store";
import { StreamTranslator } from "./translate";

export interface StartRun {
  db: DB;
  agent: Agent;
  userId: string;
  threadId: string;
  /** The user's new message; null continues the thread from its last checkpoint (Continue / Retry). */
  text: string | null;
}

/**
 * Starts a run and returns once Postgres has given it the thread's one active slot: the run belongs
 * to the server, not to the request that began it. Its events go to the run's log (run_events).
 */
export async function startRun({ db, agent, userId, threadId, text }: StartRun): Promise<ActiveRun> {
  const message = text === null ? null : { id: randomUUID(), text };
  const row = await createRun(db, { threadId, userId, message });
  const run = new ActiveRun(row.id, threadId, userId, (events, final) => appendEvents(db, row.id, events, final));
  holdRun(run);
  run.push({ type: "run-start", userMessage: message });
  void execute(run, { db, agent, message, titleFrom: text });
  return run;
}

/** Is the run at a point where its graph can be resumed from the last checkpoint without harm? */
export function atStepBoundary(last: RunEvent | undefined): boolean {
  return !last || last.type === "run-start" || last.type === "message-end" || last.type === "tool-result";
}

/**
 * Takes up a run whose owner disappeared. It resumes from the last checkpoint when that is exactly
 * what people have seen: the run stopped between steps, and every model message shown is saved.
 * Otherwise (half an answer on screen, or a whole one whose step never reached a checkpoint) a new
 * call would write a different answer beside it, so the run is marked interrupted; people can
 * Continue it.
 */
export async function resumeRun(db: DB, agent: Agent, row: Run) {
  const history = await readEvents(db, row.id, 0, MAX_RUN_EVENTS);
  const run = new ActiveRun(row.id, row.threadId, row.userId, (events, final) => appendEvents(db, row.id, events, final), history);
  if (run.lastEvent?.type === "run-end") return; // it had ended; only the status was left behind
  const state = await agent.graph.getState({ configurable: { thread_id: row.threadId } });
  const savedIds = new Set((state.values.messages ?? []).map((m: BaseMessage) => m.id));
  const shown = history.flatMap((e) => (e.event.type === "message-start" ? [e.event.messageId] : []));
  if (!atStepBoundary(run.lastEvent) || shown.some((id) => !savedIds.has(id))) {
    // The user's message stays in the conversation whatever happened to the answer.
    if (row.input && !savedIds.has(row.input.id)) {
      await agent.graph.updateState({ configurable: { thread_id: row.threadId } }, { messages: [new HumanMessage({ id: row.input.id, content: row.input.text })] }, "__start__");
    }
    run.push({ type: "run-end", status: "interrupted", error: "The server stopped while this answer was being written." });
    await run.settled();
    return;
  }
  holdRun(run);
  // The message goes in only if it never reached a checkpoint; otherwise the graph picks up where it was.
  void execute(run, { db, agent, message: row.input && !savedIds.has(row.input.id) ? row.input : null, titleFrom: null });
}

async function execute(run: ActiveRun, ctx: { db: DB; agent: Agent; message: { id: string; text: string } | null; titleFrom: string | null }) {
  const { db, agent } = ctx;
  // "sync": each step's checkpoint is saved before the next step starts (LangGraph's default saves it
  // while the next step runs, and a crash then loses a step people may already have seen).
  const config = { configurable: { thread_id: run.threadId }, signal: run.controller.signal, recursionLimit: 60, durability: "sync" as const };
  const translator = new StreamTranslator((event) => run.push(event));
  // Made alongside the answer, and saved before the run ends, so the sidebar shows it at once.
  const title = ctx.titleFrom ? titleFor(db, agent, run.threadId, ctx.titleFrom) : Promise.resolve(null);
  const input = ctx.message ? { messages: [new HumanMessage({ id: ctx.message.id, content: ctx.message.text })] } : null;
  try {
    await db.update(threads).set({ updatedAt: sql`now()` }).where(eq(threads.id, run.threadId));
    const stream = await agent.graph.stream(input, { ...config, streamMode: ["messages", "updates"] });
    for await (const [mode, chunk] of stream) {
      translator.handle(mode, chunk);
      // A node just finished and its checkpoint is saved: a clean point to hand over on shutdown.
      if (mode === "updates" && run.handoffRequested) {
        await run.settled();
        await releaseForTakeover(db, run.id);
        run.markHandedOff();
        return;
      }
    }
    await saveTitle(db, run.threadId, await title);
    run.push({ type: "run-end", status: "succeeded", error: null });
  } catch (err) {
    if (run.controller.signal.aborted) {
      await keepPartialAnswer(db, agent, run.threadId, translator.partial).catch((e) => console.error(`[run ${run.id}] could not save the stopped answer:`, e));
      await saveTitle(db, run.threadId, await title);
      run.push({ type: "run-end", status: "cancelled", error: null });
    } else {
      console.error(`[run ${run.id}] failed:`, err);
      run.push({ type: "run-end", status: "failed", error: describeFailure(err) });
    }
  } finally {
    await run.settled();
    releaseRun(run);
  }
}

/**
 * A stopped answer stays in the conversation as far as it got, marked as stopped. Tool calls it
 * left unanswered get a "cancelled" result, so the history stays valid for every provider.
 */
async function keepPartialAnswer(db: DB, agent: Agent, threadId: string, partial: { id: string; text: string } | null) {
  // A run stopped because its thread was deleted must not write checkpoints back for it.
  const [exists] = await db.select({ id: threads.id }).from(threads).where(eq(threads.id, threadId));
  if (!exists) return;
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
