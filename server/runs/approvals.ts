import { and, count, eq, inArray, isNull, type SQLWrapper, sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { Conflict, NotFound } from "@/server/errors";
import { type Approval, approvals, type Run } from "@/db/schema";
import type { ApprovalStatus } from "@/lib/messages";
import type { ThreadState } from "@/server/agent";
import type { ApprovalInterrupt, ApprovalRequest, Decision } from "@/server/agent/nodes/review";
import { createRun } from "./store";

export const WAITING_FOR_DECISION = "The agent is waiting for your decision on its request";

/** The requests a thread's graph is paused on: what its latest checkpoint's interrupts carry. */
export function pausedOn(state: ThreadState): ApprovalRequest[] {
  return state.tasks
    .flatMap((task) => task.interrupts ?? [])
    .map((i) => i.value as ApprovalInterrupt | undefined)
    .filter((v): v is ApprovalInterrupt => v?.kind === "approval")
    .flatMap((v) => v.requests);
}

/** One row a request; a run replayed after a crash finds them there already. */
export async function recordApprovals(db: DB, run: { id: string; threadId: string; userId: string }, requests: ApprovalRequest[]) {
  await db
    .insert(approvals)
    .values(
      requests.map((r, position) => ({
        threadId: run.threadId,
        userId: run.userId,
        runId: run.id,
        toolCallId: r.toolCallId,
        position,
        toolName: r.name,
        args: r.args,
      })),
    )
    .onConflictDoNothing();
}

/** The approvals of the thread's current pause: pending, or decided while others still wait. */
export async function currentApprovals(db: DB, threadId: string): Promise<Approval[]> {
  return db
    .select()
    .from(approvals)
    .where(and(eq(approvals.threadId, threadId), isNull(approvals.resumedByRunId)))
    .orderBy(approvals.createdAt, approvals.position);
}

/** How each of these tool calls was decided, for the history to show. */
export async function decisionsOf(db: DB, threadId: string, toolCallIds: string[]) {
  if (toolCallIds.length === 0) return new Map<string, { status: ApprovalStatus; reason: string | null }>();
  const rows = await db
    .select({ toolCallId: approvals.toolCallId, status: approvals.status, reason: approvals.reason })
    .from(approvals)
    .where(and(eq(approvals.threadId, threadId), inArray(approvals.toolCallId, toolCallIds)));
  return new Map(rows.map((r) => [r.toolCallId, { status: r.status, reason: r.reason }]));
}

/** New messages, Continue, edits and branch switches wait until the pending actions are decided. */
/**
 * Whether an action in the thread awaits a decision, as an expression: a new message must wait for
 * it. Spelled out in SQL, since in a select from one table Drizzle leaves column names unqualified.
 */
export const awaitsDecision = (threadId: SQLWrapper | string) =>
  sql<boolean>`EXISTS (SELECT 1 FROM approvals pending WHERE pending.thread_id = ${threadId} AND pending.status = 'pending')`;

/** `known`: the answer, when the caller has already read it in a statement it made anyway. */
export async function assertNoPendingApproval(db: DB, threadId: string, known?: boolean) {
  const awaiting = known ?? (await db.execute<{ awaiting: boolean }>(sql`SELECT ${awaitsDecision(threadId)} AS awaiting`)).rows[0]?.awaiting;
  if (awaiting) throw new Conflict(WAITING_FOR_DECISION);
}

export async function approvalOf(db: DB, userId: string, threadId: string, toolCallId: string): Promise<Approval | null> {
  const [row] = await db
    .select()
    .from(approvals)
    .where(and(eq(approvals.threadId, threadId), eq(approvals.userId, userId), eq(approvals.toolCallId, toolCallId)))
    .limit(1);
  return row ?? null;
}

/** The decisions a resuming run carries into the graph, by tool call id. */
export async function decisionsFor(db: DB, runId: string): Promise<Record<string, Decision> | null> {
  const rows = await db.select().from(approvals).where(eq(approvals.resumedByRunId, runId));
  if (rows.length === 0) return null;
  return Object.fromEntries(rows.map((r) => [r.toolCallId, asDecision(r)]));
}

function asDecision(row: Approval): Decision {
  if (row.status === "edited") return { type: "edit", args: row.decidedArgs ?? row.args };
  if (row.status === "rejected") return { type: "reject", reason: row.reason };
  return { type: "approve" };
}

const STATUS: Record<Decision["type"], ApprovalStatus> = { approve: "approved", edit: "edited", reject: "rejected" };

/**
 * Applies a decision exactly once: the pending row is updated under a per-thread lock, so double
 * clicks and racing tabs find it decided. The last decision of a pause creates the run that
 * resumes the graph, in the same transaction: a crash cannot leave decisions without their run.
 */
export async function decide(
  db: DB,
  input: { userId: string; threadId: string; toolCallId: string; decision: Decision },
): Promise<{ status: ApprovalStatus; resume: { run: Run; decisions: Record<string, Decision> } | null }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${input.threadId}))`);
    const row = await approvalOf(tx as unknown as DB, input.userId, input.threadId, input.toolCallId);
    if (!row) throw new NotFound("This action is not waiting for a decision");
    if (row.status !== "pending") throw new Conflict(`Already decided: ${row.status}`);
    const d = input.decision;
    await tx
      .update(approvals)
      .set({
        status: STATUS[d.type],
        decidedArgs: d.type === "edit" ? d.args : null,
        reason: d.type === "reject" ? (d.reason ?? null) : null,
        decidedAt: sql`now()`,
      })
      .where(eq(approvals.id, row.id));
    const [left] = await tx
      .select({ n: count() })
      .from(approvals)
      .where(and(eq(approvals.runId, row.runId), eq(approvals.status, "pending")));
    if (left!.n > 0) return { status: STATUS[d.type], resume: null };
    const run = await createRun(tx as unknown as DB, { threadId: input.threadId, userId: input.userId, message: null });
    const decided = await tx.update(approvals).set({ resumedByRunId: run.id }).where(eq(approvals.runId, row.runId)).returning();
    return { status: STATUS[d.type], resume: { run, decisions: Object.fromEntries(decided.map((r) => [r.toolCallId, asDecision(r)])) } };
  });
}
