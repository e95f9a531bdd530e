/**
 * What several real server processes on one database must hold to, as tests any setup can run:
 * server/runs/instances.process.test.ts on Postgres directly, server/runs/pooler.process.test.ts
 * behind PgBouncer. Each runs B (up for the whole file) and an A of its own.
 */
import { expect, it } from "vitest";
import type { RunEvent } from "../../lib/run-events";
import { createUser } from "../../server/auth/users";
import type { TestDatabase } from "./database";
import { clientFor, type Server, sessionCookie } from "./servers";
import { uniqueEmail } from "./users";

export interface Instances {
  /** The database, reached directly: what the tests check Postgres holds. */
  t: TestDatabase;
  /** Filled in by the file's beforeAll: the instance up throughout, and a signed-in user's cookie. */
  b: Server;
  cookie: string;
  /** Another instance on the same database, with these settings on top. */
  start(env?: Record<string, string>): Promise<Server>;
}

type Client = ReturnType<typeof clientFor>;

/** Follows every event of a run through `chat.events` until it ends; `onEvent` may act along the way. */
export function follow(client: Client, runId: string, onEvent: (e: RunEvent, all: RunEvent[]) => void = () => {}) {
  return new Promise<RunEvent[]>((resolve, reject) => {
    const all: RunEvent[] = [];
    const sub = client.chat.events.subscribe(
      { runId, lastEventId: `${runId}:0` },
      {
        onData: (envelope) => {
          const event = envelope.data;
          all.push(event);
          onEvent(event, all);
          if (event.type === "run-end") {
            sub.unsubscribe();
            resolve(all);
          }
        },
        onError: reject,
      },
    );
  });
}

export const deltas = (events: RunEvent[]) => events.filter((e) => e.type === "text-delta").length;
const deltasSeen = (n: number) => (all: RunEvent[]) => deltas(all) >= n;

/** Where kill -9 hits: each leaves A waiting for its next word (400 ms apart on A), idle with the run unfinished. */
export const KILL_POINTS = [
  { point: "before the first step ends", text: "tell me about yourself", answer: "offline demo model", at: (all: RunEvent[]) => all.length >= 1 },
  { point: "at the step boundary after a tool", text: "what is 12*7?", answer: "84", at: (all: RunEvent[]) => all.at(-1)?.type === "tool-result" },
  { point: "at the answer's first word", text: "what is 12*7?", answer: "84", at: deltasSeen(1) },
  { point: "mid-answer", text: "what is 12*7?", answer: "84", at: deltasSeen(2) },
  { point: "mid-way through a long answer", text: "tell me about yourself", answer: "offline demo model", at: deltasSeen(4) },
];

/**
 * Kills `a` with SIGKILL once B has seen the events `at` waits for, having first checked, with `a`
 * frozen (SIGSTOP) so that it writes nothing more, that Postgres holds the run unfinished. Returns
 * the event types written by then, and how the run ended once another instance recovered it.
 */
async function killWhen(t: TestDatabase, a: Server, onB: Client, runId: string, at: (all: RunEvent[]) => boolean, point: string) {
  let reached!: () => void;
  const atPoint = new Promise<void>((resolve) => (reached = resolve));
  let frozen = false;
  const followed = follow(onB, runId, (_e, all) => {
    if (frozen || !at(all)) return;
    frozen = true;
    a.process.kill("SIGSTOP");
    reached();
  });
  await Promise.race([
    atPoint,
    followed.then((events) => {
      throw new Error(`the answer ended (${JSON.stringify(events.at(-1))}) before the kill point, ${point}`);
    }),
  ]);
  const { rows } = await t.pool.query("SELECT status, finished_at FROM runs WHERE id = $1", [runId]);
  expect(rows[0], point).toEqual({ status: "running", finished_at: null });
  const written = (await t.pool.query("SELECT event->>'type' AS type FROM run_events WHERE run_id = $1 ORDER BY seq", [runId])).rows.map(
    (r) => r.type as string,
  );
  expect(written, point).not.toContain("run-end");
  a.process.kill("SIGKILL");
  await a.exited;
  return { written, end: (await followed).at(-1) as Extract<RunEvent, { type: "run-end" }> };
}

/** The scenarios, as tests of the calling file: watch and Stop across instances, activity across them, the send race, kill -9 takeover, the approval race. */
export function instanceScenarios(s: Instances, { killPoints = KILL_POINTS } = {}) {
  it("a run on A is watched live from B, and Stop pressed on B cancels it on A", async () => {
    const a = await s.start();
    try {
      const onA = clientFor(a, s.cookie);
      const onB = clientFor(s.b, s.cookie);
      const { runId, threadId } = await onA.chat.send.mutate({ text: "tell me about yourself" });
      const events = await follow(onB, runId, (e, all) => {
        if (e.type === "text-delta" && deltas(all) === 2) void onB.chat.stop.mutate({ threadId });
      });
      expect(deltas(events)).toBeGreaterThanOrEqual(2);
      expect(events.at(-1)).toEqual({ type: "run-end", status: "cancelled", error: null });
      const { rows } = await s.t.pool.query("SELECT owner_instance, status FROM runs WHERE id = $1", [runId]);
      expect(rows[0]).toMatchObject({ status: "cancelled", owner_instance: expect.stringContaining(`:${a.process.pid}:`) });
      const { messages } = await onB.thread.messages.query({ threadId: threadId });
      expect(messages[1]).toMatchObject({ role: "assistant", stopped: true });
    } finally {
      await a.stop();
    }
  });

  it("a conversation created on A reaches B's activity stream, which only NOTIFY wakes", async () => {
    const a = await s.start();
    const heard = new Set<string>();
    const created: string[] = [];
    const sub = clientFor(s.b, s.cookie).thread.activity.subscribe(undefined, {
      onData: (envelope) => {
        if (envelope.kind === "thread-created") heard.add(envelope.threadId);
      },
    });
    try {
      const onA = clientFor(a, s.cookie);
      // Until the stream has started on B, a conversation may come too early to be heard: create
      // another each time round, and wait for B to hear one.
      await expect
        .poll(
          async () => {
            created.push((await onA.thread.create.mutate()).id);
            return created.some((id) => heard.has(id));
          },
          { timeout: 15_000, interval: 500 },
        )
        .toBe(true);
    } finally {
      sub.unsubscribe();
      await a.stop();
    }
  });

  it("20 concurrent sends on one thread, half to each instance, make exactly one run", async () => {
    const a = await s.start();
    try {
      const clients = [clientFor(a, s.cookie), clientFor(s.b, s.cookie)];
      const thread = await clients[0]!.thread.create.mutate();
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => clients[i % 2]!.chat.send.mutate({ threadId: thread.id, text: `message ${i}` })),
      );
      const ok = results.filter((r) => r.status === "fulfilled");
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => (r.reason as Error).message);
      expect(ok).toHaveLength(1);
      expect(refused).toEqual(Array(19).fill("Still answering the previous message"));
      await follow(clients[1]!, (ok[0] as PromiseFulfilledResult<{ runId: string }>).value.runId);
      const { messages } = await clients[1]!.thread.messages.query({ threadId: thread.id });
      expect(messages.filter((m) => m.role === "user")).toHaveLength(1);
    } finally {
      await a.stop();
    }
  });

  it(`kill -9 of the instance running an answer, at ${killPoints.length} points before it ended: another instance recovers every run`, async () => {
    const onB = clientFor(s.b, s.cookie);
    const outcomes: string[] = [];
    for (const round of killPoints) {
      const a = await s.start({ OFFLINE_MODEL_DELAY_MS: "400" });
      try {
        const { runId, threadId } = await clientFor(a, s.cookie).chat.send.mutate({ text: round.text });
        const { written, end } = await killWhen(s.t, a, onB, runId, round.at, round.point);
        outcomes.push(`${round.point}: ${end.status === "succeeded" ? "resumed" : "Continue"}`);
        // A died with the run still running, so only B can have ended it.
        const { rows } = await s.t.pool.query("SELECT owner_instance, recoveries FROM runs WHERE id = $1", [runId]);
        expect(rows[0], round.point).toMatchObject({ recoveries: 1, owner_instance: expect.stringContaining(`:${s.b.process.pid}:`) });
        // Stopped between steps, a run resumes; with half an answer written it never does (a new call
        // would write a different answer beside it). Right after a message ended, either may be right.
        const last = written.at(-1);
        if (last === "run-start" || last === "tool-result") expect(end, round.point).toEqual({ type: "run-end", status: "succeeded", error: null });
        else if (last !== "message-end") expect(end, round.point).toMatchObject({ type: "run-end", status: "interrupted" });
        expect(["succeeded", "interrupted"]).toContain(end.status);

        const recovered = await onB.thread.messages.query({ threadId: threadId });
        expect(recovered).toMatchObject({ activeRunId: null, interrupted: end.status === "interrupted" });
        expect(recovered.messages[0]).toMatchObject({ role: "user", text: round.text });
        if (end.status === "interrupted") {
          // Continue finishes it, on the surviving instance.
          const again = await onB.chat.retry.mutate({ threadId });
          expect((await follow(onB, again.runId)).at(-1)).toEqual({ type: "run-end", status: "succeeded", error: null });
        }
        const { messages, interrupted } = await onB.thread.messages.query({ threadId: threadId });
        expect(interrupted).toBe(false);
        expect(messages.map((m) => m.role)).toEqual(["user", "assistant"]);
        expect(JSON.stringify(messages[1])).toContain(round.answer);
      } finally {
        await a.stop();
      }
    }
    const resumed = outcomes.filter((o) => o.endsWith("resumed")).length;
    console.log(
      `kill -9 recovery: ${killPoints.length}/${killPoints.length} rounds killed before the answer ended; ${resumed} resumed, ${killPoints.length - resumed} needed Continue (${outcomes.join("; ")})`,
    );
  }, 240_000);

  it("10 approvals of one action, half to each instance, carry it out exactly once", async () => {
    // A user of its own: what it remembers stays out of the other scenarios' answers.
    const created = await createUser(s.t.db, { email: uniqueEmail(), password: "correct-horse-42" });
    if (!created.ok) throw new Error("no user");
    const cookie = await sessionCookie(s.t.db, created.user.id, created.user.email);
    const a = await s.start();
    try {
      const clients = [clientFor(a, cookie), clientFor(s.b, cookie)];
      const { runId, threadId } = await clients[0]!.chat.send.mutate({ text: "remember that the gate code is 4321" });
      expect((await follow(clients[1]!, runId)).at(-1)).toEqual({ type: "run-end", status: "paused", error: null });
      const [pending] = (await clients[1]!.thread.messages.query({ threadId })).approvals;
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => clients[i % 2]!.chat.decide.mutate({ threadId, toolCallId: pending!.toolCallId, decision: { type: "approve" } })),
      );
      const ok = results.filter((r) => r.status === "fulfilled");
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => (r.reason as Error).message);
      expect(ok).toHaveLength(1);
      expect(refused).toEqual(Array(9).fill("Already decided: approved"));
      const resumed = (ok[0] as PromiseFulfilledResult<{ runId: string | null }>).value.runId!;
      expect((await follow(clients[0]!, resumed)).at(-1)).toEqual({ type: "run-end", status: "succeeded", error: null });
      const notes = await s.t.pool.query("SELECT text FROM memories WHERE user_id = $1", [created.user.id]);
      expect(notes.rows).toEqual([{ text: "the gate code is 4321" }]);
      const runs = await s.t.pool.query("SELECT count(*)::int AS n FROM runs WHERE thread_id = $1", [threadId]);
      expect(runs.rows[0].n).toBe(2); // the one that paused, and the one the decision started
    } finally {
      await a.stop();
    }
  });
}
