/**
 * Several real server processes on one database, as deployed behind a load balancer. These run
 * against the production build, after `next build` (npm test orders it so).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "@/server/auth/users";
import type { RunEvent } from "@/lib/run-events";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { clientFor, type Server, sessionCookie, startServer } from "@/scripts/testing/servers";
import { uniqueEmail } from "@/scripts/testing/users";

const t = testDatabaseForFile();
let b: Server;
let cookie: string;
beforeAll(async () => {
  b = await startServer(t.url);
  const created = await createUser(t.db, { email: uniqueEmail(), password: "correct-horse-42" });
  if (!created.ok) throw new Error("no user");
  cookie = await sessionCookie(t.db, created.user.id, created.user.email);
}, 120_000);
afterAll(async () => {
  await b?.stop();
});

type Client = ReturnType<typeof clientFor>;

/** Follows every event of a run through `chat.events` until it ends; `onEvent` may act along the way. */
function follow(client: Client, runId: string, onEvent: (e: RunEvent, all: RunEvent[]) => void = () => {}) {
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

const deltas = (events: RunEvent[]) => events.filter((e) => e.type === "text-delta").length;

/**
 * Kills `a` with SIGKILL once B has seen the events `at` waits for, having first checked, with `a`
 * frozen (SIGSTOP) so that it writes nothing more, that Postgres holds the run unfinished. Returns
 * the event types written by then, and how the run ended once another instance recovered it.
 */
async function killWhen(a: Server, onB: Client, runId: string, at: (all: RunEvent[]) => boolean, point: string) {
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

describe("several instances, Postgres the only shared state", () => {
  it("a run on A is watched live from B, and Stop pressed on B cancels it on A", async () => {
    const a = await startServer(t.url);
    try {
      const onA = clientFor(a, cookie);
      const onB = clientFor(b, cookie);
      const { runId, threadId } = await onA.chat.send.mutate({ text: "tell me about yourself" });
      const events = await follow(onB, runId, (e, all) => {
        if (e.type === "text-delta" && deltas(all) === 2) void onB.chat.stop.mutate({ threadId });
      });
      expect(deltas(events)).toBeGreaterThanOrEqual(2);
      expect(events.at(-1)).toEqual({ type: "run-end", status: "cancelled", error: null });
      const { rows } = await t.pool.query("SELECT owner_instance, status FROM runs WHERE id = $1", [runId]);
      expect(rows[0]).toMatchObject({ status: "cancelled", owner_instance: expect.stringContaining(`:${a.process.pid}:`) });
      const { messages } = await onB.thread.messages.query({ threadId: threadId });
      expect(messages[1]).toMatchObject({ role: "assistant", stopped: true });
    } finally {
      await a.stop();
    }
  });

  it("20 concurrent sends on one thread, half to each instance, make exactly one run", async () => {
    const a = await startServer(t.url);
    try {
      const clients = [clientFor(a, cookie), clientFor(b, cookie)];
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

  it("an answer that outlasts RUN_STALE_AFTER_MS stays with its living instance, which heartbeats it", async () => {
    const onB = clientFor(b, cookie);
    const { runId, threadId } = await onB.chat.send.mutate({ text: "tell me about yourself" });
    expect((await follow(onB, runId)).at(-1)).toEqual({ type: "run-end", status: "succeeded", error: null });
    const { rows } = await t.pool.query(
      "SELECT owner_instance, recoveries, extract(epoch FROM finished_at - started_at) * 1000 AS ms FROM runs WHERE id = $1",
      [runId],
    );
    // Longer than the servers' RUN_STALE_AFTER_MS (scripts/testing/servers.ts): only heartbeats kept it.
    expect(Number(rows[0].ms)).toBeGreaterThan(1500);
    expect(rows[0]).toMatchObject({ recoveries: 0, owner_instance: expect.stringContaining(`:${b.process.pid}:`) });
    const { messages } = await onB.thread.messages.query({ threadId: threadId });
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("kill -9 of the instance running an answer, at five points before it ended: another instance recovers every run", async () => {
    const onB = clientFor(b, cookie);
    const deltasSeen = (n: number) => (all: RunEvent[]) => deltas(all) >= n;
    // Each point leaves A waiting for its next word (400 ms apart on A): idle, with the run unfinished,
    // for far longer than B takes to see the event and this test to freeze A.
    const rounds = [
      { point: "before the first step ends", text: "tell me about yourself", answer: "offline demo model", at: (all: RunEvent[]) => all.length >= 1 },
      { point: "at the step boundary after a tool", text: "what is 12*7?", answer: "84", at: (all: RunEvent[]) => all.at(-1)?.type === "tool-result" },
      { point: "at the answer's first word", text: "what is 12*7?", answer: "84", at: deltasSeen(1) },
      { point: "mid-answer", text: "what is 12*7?", answer: "84", at: deltasSeen(2) },
      { point: "mid-way through a long answer", text: "tell me about yourself", answer: "offline demo model", at: deltasSeen(4) },
    ];
    const outcomes: string[] = [];
    for (const round of rounds) {
      const a = await startServer(t.url, { OFFLINE_MODEL_DELAY_MS: "400" });
      try {
        const { runId, threadId } = await clientFor(a, cookie).chat.send.mutate({ text: round.text });
        const { written, end } = await killWhen(a, onB, runId, round.at, round.point);
        outcomes.push(`${round.point}: ${end.status === "succeeded" ? "resumed" : "Continue"}`);
        // A died with the run still running, so only B can have ended it.
        const { rows } = await t.pool.query("SELECT owner_instance, recoveries FROM runs WHERE id = $1", [runId]);
        expect(rows[0], round.point).toMatchObject({ recoveries: 1, owner_instance: expect.stringContaining(`:${b.process.pid}:`) });
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
      `kill -9 recovery: ${rounds.length}/${rounds.length} rounds killed before the answer ended; ${resumed} resumed, ${rounds.length - resumed} needed Continue (${outcomes.join("; ")})`,
    );
  }, 240_000);

  it("SIGTERM drains: the answer finishes its step, the instance exits, another continues it to the end", async () => {
    const a = await startServer(t.url);
    const onA = clientFor(a, cookie);
    const onB = clientFor(b, cookie);
    const { runId, threadId } = await onA.chat.send.mutate({ text: "what is 12*7?" });
    let signalled = false;
    const events = await follow(onB, runId, (e) => {
      if (!signalled && e.type === "tool-call") {
        signalled = true;
        a.process.kill("SIGTERM");
      }
    });
    expect(await a.exited).toBe(0);
    expect(a.output()).toMatch(/"signal":"SIGTERM".*"msg":"shutting down: finishing the current step/);
    expect(events.at(-1)).toEqual({ type: "run-end", status: "succeeded", error: null });
    const { rows } = await t.pool.query("SELECT owner_instance, recoveries FROM runs WHERE id = $1", [runId]);
    expect(rows[0].recoveries).toBe(1);
    expect(rows[0].owner_instance).toContain(`:${b.process.pid}:`);
    const { messages } = await onB.thread.messages.query({ threadId: threadId });
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(JSON.stringify(messages[1])).toContain("84");
  }, 60_000);
});
