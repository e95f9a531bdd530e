import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { randomUUID } from "node:crypto";
import { type DB, isDatabaseError, isDatabaseUnavailable } from "@/db/client";
import { DatabaseOutageError, untilReachable } from "@/server/database-outage";
import { Command } from "@langchain/langgraph";
import type { Run, RunInput } from "@/db/schema";
import type { Agent, ThreadState } from "@/server/agent";
import { answerMetadata, ModelTimeoutError } from "@/server/agent/nodes/model";
import { makeTitle } from "@/server/agent/title";
import { hasDefaultTitle, replaceDefaultTitle, threadExists } from "@/server/threads/queries";
import { memoryAllowed } from "@/server/memory/store";
import { ActiveRun } from "./active-run";
import { BEFORE_SIDE_EFFECTS, type BeforeSideEffects, type Decision, openToolCalls } from "@/server/agent/nodes/review";
import { recordBranch, recordUserMessage } from "@/server/threads/branches";
import { linkAttachments } from "@/server/attachments/store";
import type { AttachmentRef } from "@/lib/attachments";
import { decisionsFor, pausedOn, recordApprovals } from "./approvals";
import type { RunEvent, RunOutcome } from "@/lib/run-events";
import { holdRun, releaseRun } from "./registry";
import { appendEvents } from "./event-writer";
import { createRun, MAX_RUN_EVENTS, readEvents, releaseForTakeover } from "./store";
import { StreamTranslator } from "./translate";
import { CHECKPOINT_SCHEMA, checkpointerKind } from "@/server/agent/checkpointer";
import { compactThread } from "@/server/agent/saver/retention";
import { config as settings } from "@/server/config";
import { logger } from "@/server/observability/log";
import { inSpan } from "@/server/observability/tracing";

export interface StartRun {
  db: DB;
  agent: Agent;
  userId: string;
  threadId: string;
  /** The user's new message; null continues the thread from its last checkpoint (Continue / Retry). */
  text: string | null;
  /** The request that asked for it, named in the run's log lines. */
  requestId?: string;
  /** The new message's id, when the client named it. */
  messageId?: string;
  /** For an edit or regenerate: the checkpoint to fork from, the message id to use (regenerate keeps it), and the message before it. */
  fork?: { base: string; messageId?: string; after: string | null };
  /** The files the message carries (checked as the user's own by the caller). */
  attachments?: AttachmentRef[];
  /** The caller read the conversation's title and it is one of its own already: no title is made, nor asked about. */
  titled?: boolean;
}

/**
 * Starts a run and returns once Postgres has given it the thread's one active slot: the run belongs
 * to the server, not to the request that began it. Its events go to the run's log (run_events).
 */
export async function startRun({
  db,
  agent,
  userId,
  threadId,
  text,
  fork,
  requestId,
  messageId,
  attachments = [],
  titled = false,
}: StartRun): Promise<ActiveRun> {
  const message: RunInput | null =
    text === null
      ? null
      : { id: fork?.messageId ?? messageId ?? randomUUID(), text, ...(fork && { base: fork.base }), ...(attachments.length > 0 && { attachments }) };
  // Before the run exists: a message is never in a checkpoint without its files being referred to.
  if (message) await linkAttachments(db, threadId, message.id, attachments);
  const row = await createRun(db, { threadId, userId, message });
  return launch(db, agent, row, { message, titleFrom: fork || titled ? null : text, resume: null, forkAfter: fork ? fork.after : undefined, requestId });
}

/** Runs a row this instance has just claimed: from `chat.send`, or from the last decision on an approval. */
export function launch(
  db: DB,
  agent: Agent,
  row: Run,
  ctx: { message: RunInput | null; titleFrom: string | null; resume: Record<string, Decision> | null; forkAfter?: string | null; requestId?: string },
) {
  const run = new ActiveRun(row.id, row.threadId, row.userId, (events, final) => appendEvents(db, row.id, events, final), [], ctx.requestId);
  run.logger.info({ kind: ctx.resume ? "decision" : ctx.message ? (ctx.forkAfter !== undefined ? "fork" : "message") : "continue" }, "run started");
  holdRun(run);
  const userMessage = ctx.message && { id: ctx.message.id, text: ctx.message.text, ...(ctx.message.attachments && { attachments: ctx.message.attachments }) };
  run.push({ type: "run-start", userMessage, ...(ctx.forkAfter !== undefined && { forkAfter: ctx.forkAfter }) });
  void execute(run, { db, agent, ...ctx });
  return run;
}

/** Is the run at a point where its graph can be resumed from the last checkpoint without harm? */
export function atStepBoundary(last: RunEvent | undefined): boolean {
  // After a tool-start the calls' results are either saved (the node finished) or answered as cut off (see resumeRun).
  return !last || ["run-start", "message-end", "tool-result", "step", "tool-start"].includes(last.type);
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
  const thread = { configurable: { thread_id: row.threadId } };
  let state = await agent.graph.getState(thread);
  // Side-effecting calls its owner had started (recorded before they were sent) and never finished:
  // they may have taken effect, so they are not sent again. Each gets an error result saying so.
  const cutOff = cutOffCalls(history, state.values.messages ?? []);
  if (cutOff.length) {
    const results = cutOff.map((c) => new ToolMessage({ tool_call_id: c.id ?? "", name: c.name, content: CUT_OFF, status: "error" }));
    // As the review node's output: the graph goes on to the tools node, which runs only the calls still open.
    await agent.graph.updateState(thread, { messages: results }, "review");
    for (const c of cutOff) run.push({ type: "tool-result", toolCallId: c.id ?? "", name: c.name, content: CUT_OFF, isError: true });
    run.logger.warn({ toolCalls: cutOff.map((c) => c.name) }, "calls cut off by the crash of their instance are not sent again");
    state = await agent.graph.getState(thread);
  }
  const savedIds = new Set((state.values.messages ?? []).map((m: BaseMessage) => m.id));
  const shown = history.flatMap((e) => (e.event.type === "message-start" ? [e.event.messageId] : []));
  if (!atStepBoundary(run.lastEvent) || shown.some((id) => !savedIds.has(id))) {
    if (row.input) await keepUserMessage(agent, row.threadId, row.input, row.input.base);
    run.push({ type: "run-end", status: "interrupted", error: "The server stopped while this answer was being written." });
    await run.settled();
    return;
  }
  holdRun(run);
  // Decided approvals the graph has not taken in yet go in again; the tools they allow run once (see remember).
  const decisions = await decisionsFor(db, row.id);
  const resume = decisions && state.tasks.some((task) => task.interrupts?.length) ? decisions : null;
  // The message goes in only if it never reached a checkpoint; otherwise the graph picks up where it was.
  void execute(run, { db, agent, message: row.input && !savedIds.has(row.input.id) ? row.input : null, titleFrom: null, resume });
}

/** What a call cut off by a crash returns: it may have run, so it is not sent again. */
export const CUT_OFF =
  "Error: the server running this call stopped before its result came back. It may or may not have taken effect, so it was not sent again.";

/** The open tool calls of the checkpoint that the run's log says were started: sent, with no result saved. */
function cutOffCalls(history: { event: RunEvent }[], messages: BaseMessage[]) {
  const started = new Set(history.flatMap(({ event }) => (event.type === "tool-start" ? event.toolCallIds : [])));
  if (started.size === 0) return [];
  return (openToolCalls(messages)?.calls ?? []).filter((c) => started.has(c.id ?? ""));
}

type ExecuteContext = { db: DB; agent: Agent; message: RunInput | null; titleFrom: string | null; resume: Record<string, Decision> | null };

/** A run, traced as one span (a child of the request that started it, when there was one). */
const execute = (run: ActiveRun, ctx: ExecuteContext) =>
  inSpan("run", { "threadline.run_id": run.id, "threadline.thread_id": run.threadId }, () => executeRun(run, ctx)).catch(() => undefined);

async function executeRun(run: ActiveRun, ctx: ExecuteContext) {
  const { db, agent } = ctx;
  // "sync": each step's checkpoint is saved before the next step starts (LangGraph's default saves it
  // while the next step runs, and a crash then loses a step people may already have seen).
  // The user id reaches recall and the tools that act for the user (memory); the model never chooses it.
  // Memory is decided once per run: the user's "Use memory" and whether this is a temporary chat.
  // Read while the message is recorded: before the first token, each statement waiting its turn under load is time people see.
  const memoryOn = memoryAllowed(db, run.userId, run.threadId).catch(() => false);
  const configurable: Record<string, string> = { thread_id: run.threadId, user_id: run.userId };
  const config = { configurable, signal: run.controller.signal, recursionLimit: 60, durability: "sync" as const };
  const translator = new StreamTranslator((event) => run.push(event), agent.nodes.answer);
  // Made alongside the answer, and saved before the run ends, so the sidebar shows it at once.
  const title = ctx.titleFrom ? titleFor(db, agent, run.threadId, ctx.titleFrom) : Promise.resolve(null);
  const input = ctx.resume
    ? new Command<Record<string, Decision>, Record<string, never>, never>({ resume: ctx.resume })
    : ctx.message
      ? { messages: [userMessageOf(ctx.message)] }
      : null;
  // The branch bookkeeping is done before the ending is published, so whoever refreshes sees it.
  const end = async (status: RunOutcome, error: string | null = null, state?: ThreadState) => {
    await recordBranch(db, agent, run.threadId, state).catch((err) => run.logger.error({ err }, "could not record the branch"));
    run.push({ type: "run-end", status, error });
  };
  try {
    // A new message goes in at its base: the latest checkpoint, or an older one for an edit (a fork).
    if (ctx.message) configurable.checkpoint_id = await recordUserMessage(db, agent, run.threadId, ctx.message);
    configurable.memory = (await memoryOn) ? "on" : "off";
    // Side-effecting calls are recorded in the run's log before they are sent: see resumeRun.
    const beforeSideEffects: BeforeSideEffects = async (toolCallIds) => {
      run.push({ type: "tool-start", toolCallIds });
      await run.settled();
    };
    const stream = await agent.graph.stream(input, {
      ...config,
      configurable: { ...configurable, [BEFORE_SIDE_EFFECTS]: beforeSideEffects },
      streamMode: ["messages", "updates"],
    });
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
    const state = await agent.graph.getState({ configurable: { thread_id: run.threadId } });
    const requests = pausedOn(state);
    if (requests.length) {
      await recordApprovals(db, run, requests);
      await end("paused", null, state);
    } else {
      await end("succeeded", null, state);
    }
  } catch (err) {
    // What was shown stays as far as it got, whether the user stopped it or the database went away.
    const keepShown = async () => {
      const asked = ctx.message && { message: ctx.message, base: configurable.checkpoint_id ?? ctx.message.base };
      await keepPartialAnswer(db, agent, run.threadId, translator.partial, asked).catch((err) =>
        run.logger.error({ err }, "could not save the stopped answer"),
      );
      await saveTitle(db, run.threadId, await title);
    };
    if (isDatabaseUnavailable(err) || DatabaseOutageError.is(run.controller.signal.reason)) {
      // Nothing can be saved until Postgres is back, so the run waits for it (its events are kept in memory).
      run.logger.warn({ reason: err instanceof Error ? err.message : String(err) }, "run interrupted: the database was unavailable");
      await untilReachable(() => threadExists(db, run.threadId));
      await keepShown();
      await end("interrupted", DATABASE_LOST);
    } else if (run.controller.signal.aborted) {
      await keepShown();
      await end("cancelled");
    } else {
      run.logger.error({ err }, "run failed");
      await end("failed", describeFailure(err));
    }
  } finally {
    await run.settled();
    releaseRun(run);
    // After the ending is recorded: compaction waits for the thread to hold no active run.
    if (retainsOnlyTurns()) void compactThread(db, CHECKPOINT_SCHEMA, run.threadId).catch((err) => run.logger.warn({ err }, "could not compact checkpoints"));
  }
}

const retainsOnlyTurns = () => settings().CHECKPOINT_RETENTION === "turn" && checkpointerKind() === "threadline";

/**
 * A stopped answer stays in the conversation as far as it got, marked as stopped. Tool calls it
 * left unanswered get a "cancelled" result, so the history stays valid for every provider.
 */
async function keepPartialAnswer(
  db: DB,
  agent: Agent,
  threadId: string,
  partial: { id: string; text: string } | null,
  asked: { message: RunInput; base: string | undefined } | null,
) {
  // A run stopped because its thread was deleted must not write checkpoints back for it.
  if (!(await threadExists(db, threadId))) return;
  // Stopped before its first step was saved, the graph never took the message in.
  if (asked) await keepUserMessage(agent, threadId, asked.message, asked.base);
  const config = { configurable: { thread_id: threadId } };
  const state = await agent.graph.getState(config);
  const last = state.values.messages?.at(-1);
  const pendingCalls = last && AIMessage.isInstance(last) ? (last.tool_calls ?? []) : [];
  if (pendingCalls.length) {
    const cancelled = pendingCalls.map((c) => new ToolMessage({ tool_call_id: c.id ?? "", name: c.name, content: "Cancelled: the user stopped the answer." }));
    await agent.graph.updateState(config, { messages: cancelled }, agent.nodes.tools);
  } else if (last && AIMessage.isInstance(last) && !partial) {
    return; // the answer had already finished
  }
  const stopped = new AIMessage({
    id: partial?.id ?? randomUUID(),
    content: partial?.text ?? "",
    response_metadata: { stopped: true, ...answerMetadata(agent.answeredBy) },
  });
  await agent.graph.updateState(config, { messages: [stopped] }, agent.nodes.answer);
}

/** The user's message stays in the conversation whatever happened to the answer: if no checkpoint holds it, it goes in at its base. */
async function keepUserMessage(agent: Agent, threadId: string, message: RunInput, base: string | undefined) {
  const state = await agent.graph.getState({ configurable: { thread_id: threadId } });
  if ((state.values.messages ?? []).some((m: BaseMessage) => m.id === message.id)) return;
  const at = { thread_id: threadId, ...(base && { checkpoint_id: base }) };
  await agent.graph.updateState({ configurable: at }, { messages: [userMessageOf(message)] }, "__start__");
}

/** The user's message as the checkpoint keeps it: its files by reference, resolved only for a model call. */
function userMessageOf(message: RunInput): HumanMessage {
  return new HumanMessage({
    id: message.id,
    content: message.text,
    ...(message.attachments?.length && { additional_kwargs: { attachments: message.attachments } }),
  });
}

/** A title from this message if the thread has none yet (nor one the user gave it). */
async function titleFor(db: DB, agent: Agent, threadId: string, text: string): Promise<string | null> {
  try {
    return (await hasDefaultTitle(db, threadId)) ? await makeTitle(agent, text) : null;
  } catch (err) {
    logger().error({ err, threadId }, "could not make a title");
    return null;
  }
}

/** Only over the default title: a rename made while the answer was written wins. */
async function saveTitle(db: DB, threadId: string, title: string | null) {
  if (!title) return;
  await replaceDefaultTitle(db, threadId, title).catch((err) => logger().error({ err, threadId }, "could not save the title"));
}

/** What the user reads under an answer that a database outage cut short. */
export const DATABASE_LOST = "The database was unavailable, so this answer stopped here. Continue to finish it.";

/** What the user reads when an answer fails: the cause in plain words, never a stack trace. */
export function describeFailure(err: unknown): string {
  const e = err as { status?: number; code?: string; name?: string } | null;
  // First: a database failure reads like a refused connection, and must never be blamed on the model.
  if (isDatabaseError(err)) return "The database was unavailable, so this answer could not be saved. Try again in a moment.";
  if (err instanceof ModelTimeoutError) return `${err.message}, even after retrying.`;
  if (e?.status === 401 || e?.status === 403) return "The model provider rejected Threadline's credentials. Check the API key.";
  if (e?.status === 404) return "The model provider does not know this model. Check LLM_MODEL.";
  if (e?.status === 429) return "The model provider is limiting requests right now, even after retrying. Try again in a moment.";
  if (typeof e?.status === "number" && e.status >= 500) return `The model provider had a server error (${e.status}), even after retrying.`;
  if (e?.code === "ECONNREFUSED" || e?.code === "ECONNRESET" || e?.name === "APIConnectionError") return "Could not reach the model provider.";
  return "Something went wrong while answering.";
}
