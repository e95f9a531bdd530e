import type { DB } from "@/db/client";
import type { Run } from "@/db/schema";
import type { Agent, AgentRegistry } from "@/server/agent";
import type { Decision } from "@/server/agent/nodes/review";
import { validateToolArgs } from "@/server/agent/tools/validate";
import { Conflict, NotFound } from "@/server/errors";
import { assertMessageAllowed, assertThreadAllowed } from "@/server/limits/rate-limit";
import { announce } from "@/server/threads/activity";
import { branchRow, switchBranch } from "@/server/threads/branches";
import { toUiMessages } from "@/server/threads/messages";
import { createThread, DEFAULT_TITLE, threadChoice, threadForMessage } from "@/server/threads/queries";
import { messageRefs, refsFor } from "@/server/attachments/store";
import { approvalOf, assertNoPendingApproval, decide } from "./approvals";
import { assertAcceptingRuns, drain as drainInstance } from "./drain";
import { launch, resumeRun, startRun } from "./execute";
import { localRun } from "./registry";
import { activeRunOfThread, requestCancel, STILL_ANSWERING } from "./store";

/**
 * The front door of runs: routers and workers start, continue, fork, resume, take over, cancel and
 * drain runs through these functions only. Each answer passes the same checks first (`admit`).
 */

export interface Caller {
  db: DB;
  /** The instance's agents: each conversation is answered by its own agent and model. */
  agents: AgentRegistry;
  userId: string;
  /** The request that asked for it, named in the run's log lines. */
  requestId?: string;
}

export interface Started {
  threadId: string;
  runId: string;
}

const MESSAGE_NOT_FOUND = "Message not found";

/** The conversation's agent over its model (the defaults for what is unset or no longer configured). */
export const agentOfThread = async (db: DB, agents: AgentRegistry, threadId: string): Promise<Agent> => agents.get(await threadChoice(db, threadId));

/**
 * What every answer passes before it starts, in this order: this instance is accepting runs; for a
 * message (new, continued, edited, regenerated) no action awaits a decision; the request's own
 * checks; then, last so that a refused request costs nothing, the user's message rate.
 */
async function admit(db: DB, userId: string, threadId: string, kind: "message" | "decision", own?: () => Promise<void>, awaitingDecision?: boolean) {
  assertAcceptingRuns();
  if (kind === "message") await assertNoPendingApproval(db, threadId, awaitingDecision);
  await own?.();
  if (kind === "message") await assertMessageAllowed(db, userId);
}

/**
 * A new message, in the thread given or a new one (a temporary chat if asked, and its agent: both
 * are set only when the conversation is created); `messageId`, made by the client, names it.
 */
export async function sendMessage(
  c: Caller,
  input: { threadId: string | null; text: string; messageId?: string; temporary?: boolean; agentId?: string; attachments?: string[] },
): Promise<Started> {
  assertAcceptingRuns();
  if (!input.threadId && input.agentId) c.agents.check({ agentId: input.agentId });
  // Before a new conversation is made for it: a refused file leaves nothing behind.
  const attachments = await refsFor(c.db, c.userId, input.attachments ?? []);
  // A new conversation has nothing awaiting a decision, nor any message yet.
  const { thread, awaitingDecision, alreadySent } = input.threadId
    ? await threadForMessage(c.db, c.userId, input.threadId, input.messageId)
    : { thread: await newThread(c.db, c.userId, input.temporary ?? false, input.agentId ?? null), awaitingDecision: false, alreadySent: false };
  await admit(
    c.db,
    c.userId,
    thread.id,
    "message",
    async () => {
      if (alreadySent) throw new Conflict("This message was already sent");
    },
    awaitingDecision,
  );
  const run = await startRun({
    ...c,
    agent: await c.agents.get(thread),
    threadId: thread.id,
    text: input.text,
    messageId: input.messageId,
    attachments,
    titled: thread.title !== DEFAULT_TITLE,
  });
  return { threadId: thread.id, runId: run.id };
}

/** A first message's conversation: it counts against the conversation limit as thread.create does. */
async function newThread(db: DB, userId: string, temporary: boolean, agentId: string | null) {
  await assertThreadAllowed(db, userId);
  return createThread(db, userId, undefined, temporary, agentId);
}

/** Continues an answer that failed or was interrupted, from the thread's last checkpoint. */
export async function continueAnswer(c: Caller, threadId: string): Promise<Started> {
  await admit(c.db, c.userId, threadId, "message");
  const run = await startRun({ ...c, agent: await agentOfThread(c.db, c.agents, threadId), threadId, text: null });
  return { threadId, runId: run.id };
}

/** Edits a past user message: a new branch from the checkpoint before it, answered afresh. */
export async function editMessage(c: Caller, input: { threadId: string; messageId: string; text: string }): Promise<Started> {
  let fork: { base: string; after: string | null } | null = null;
  await admit(c.db, c.userId, input.threadId, "message", async () => {
    const row = await branchRow(c.db, input.threadId, input.messageId);
    if (row?.role !== "user" || !row.baseCheckpointId) throw new NotFound(MESSAGE_NOT_FOUND);
    fork = { base: row.baseCheckpointId, after: row.parentId };
  });
  // The edited message keeps the files the original carried.
  const attachments = await messageRefs(c.db, input.threadId, input.messageId);
  const run = await startRun({
    ...c,
    agent: await agentOfThread(c.db, c.agents, input.threadId),
    threadId: input.threadId,
    text: input.text,
    fork: fork!,
    attachments,
  });
  return { threadId: input.threadId, runId: run.id };
}

/** A new answer to the same user message, as a sibling of the one given. */
export async function regenerateAnswer(c: Caller, input: { threadId: string; messageId: string }): Promise<Started> {
  let question: { text: string; fork: { base: string; messageId: string; after: string | null } } | null = null;
  const agent = await agentOfThread(c.db, c.agents, input.threadId);
  await admit(c.db, c.userId, input.threadId, "message", async () => {
    const answer = await branchRow(c.db, input.threadId, input.messageId);
    const asked = answer?.role === "assistant" && answer.parentId ? await branchRow(c.db, input.threadId, answer.parentId) : null;
    if (!asked?.baseCheckpointId) throw new NotFound(MESSAGE_NOT_FOUND);
    // The question's text, from the branch shown (the only place Regenerate is offered).
    const state = await agent.graph.getState({ configurable: { thread_id: input.threadId } });
    const shown = toUiMessages(state.values.messages ?? []).find((m) => m.id === asked.messageId);
    if (shown?.role !== "user") throw new NotFound(MESSAGE_NOT_FOUND);
    question = { text: shown.text, fork: { base: asked.baseCheckpointId, messageId: asked.messageId, after: asked.parentId } };
  });
  const { text, fork } = question!;
  const attachments = await messageRefs(c.db, input.threadId, fork.messageId);
  const run = await startRun({ ...c, agent, threadId: input.threadId, text, fork, attachments });
  return { threadId: input.threadId, runId: run.id };
}

/**
 * The user's decision on an action the agent asked to take, applied once; the last decision of a
 * pause resumes the agent in a new run. Edited arguments must fit the tool.
 */
export async function decideAction(c: Caller, input: { threadId: string; toolCallId: string; decision: Decision }) {
  const agent = await agentOfThread(c.db, c.agents, input.threadId);
  await admit(c.db, c.userId, input.threadId, "decision", async () => {
    if (input.decision.type !== "edit") return;
    const asked = await approvalOf(c.db, c.userId, input.threadId, input.toolCallId);
    if (asked) validateToolArgs(agent, asked.toolName, input.decision.args);
  });
  const { status, resume } = await decide(c.db, { userId: c.userId, ...input });
  if (resume) launch(c.db, agent, resume.run, { message: null, titleFrom: null, resume: resume.decisions, requestId: c.requestId });
  else await announce(c.db, c.userId, input.threadId, "thread-changed");
  return { status, runId: resume?.run.id ?? null };
}

/** Shows the branch through another version of a message; refused while an answer or a decision is pending. */
export async function switchBranchTo(c: Caller, input: { threadId: string; messageId: string }) {
  if (await activeRunOfThread(c.db, input.threadId)) throw new Conflict(STILL_ANSWERING);
  await assertNoPendingApproval(c.db, input.threadId);
  if (!(await switchBranch(c.db, await agentOfThread(c.db, c.agents, input.threadId), input.threadId, input.messageId))) throw new NotFound(MESSAGE_NOT_FOUND);
  await announce(c.db, c.userId, input.threadId, "thread-changed");
}

/** Stops the thread's answer, if one is running: at once where it runs here, else through Postgres. */
export async function cancelThreadRun(db: DB, threadId: string): Promise<boolean> {
  const run = await activeRunOfThread(db, threadId);
  if (!run) return false;
  localRun(run.id)?.controller.abort();
  await requestCancel(db, run.id);
  return true;
}

/** Continues a run whose owner disappeared (the recovery sweep claimed it), with its conversation's agent. */
export const takeOver = async (db: DB, agents: AgentRegistry, run: Run) => resumeRun(db, await agentOfThread(db, agents, run.threadId), run);

/** Shutdown: running answers finish their step and are handed to another instance. */
export const drain = (timeoutMs: number) => drainInstance(timeoutMs);
