/**
 * The database goes away and comes back: a PostgreSQL of the test's own, really stopped (pg_ctl
 * stop, fast: every connection is cut) and started again on the same port, under real `next start`
 * servers. The offline model is the only stand-in.
 */
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pool } from "pg";
import { createDb } from "@/db/client";
import { createUser } from "@/server/auth/users";
import { createServerPool } from "@/server/db";
import { migrateDatabase } from "@/server/migrate";
import type { RunEvent } from "@/lib/run-events";
import type { UiMessage } from "@/lib/messages";
import { metricValue } from "@/scripts/testing/metrics";
import { clientFor, type Server, sessionCookie, startServer } from "@/scripts/testing/servers";
import { startStoppablePostgres, type StoppablePostgres } from "@/scripts/testing/stoppable-postgres";
import { uniqueEmail } from "@/scripts/testing/users";
import { DATABASE_LOST } from "./execute";

const METRICS_TOKEN = "outage-metrics-token";
/** About 130 words at 60 ms each: an answer that streams for some 8 s, long enough for an outage inside it. */
const LONG = { text: "tell me about yourself", env: { OFFLINE_MODEL_DELAY_MS: "60", METRICS_TOKEN } };

let pg: StoppablePostgres & { pool: Pool };
let cookie: string;
beforeAll(async () => {
  const server = await startStoppablePostgres();
  const pool = createServerPool(server.url);
  pg = Object.assign(server, { pool });
  await migrateDatabase(pool);
  const db = createDb(pool);
  const created = await createUser(db, { email: uniqueEmail(), password: "correct-horse-42" });
  if (!created.ok) throw new Error("no user");
  cookie = await sessionCookie(db, created.user.id, created.user.email);
}, 120_000);
afterAll(async () => {
  await pg?.start().catch(() => undefined);
  await pg?.pool.end();
  await pg?.dispose();
});

type Client = ReturnType<typeof clientFor>;

/** Every event of a run, as one viewer receives them through `chat.events`; `onEvent` may act along the way. */
function watch(client: Client, runId: string, onEvent: (e: RunEvent, all: RunEvent[]) => void = () => {}) {
  const all: RunEvent[] = [];
  const ended = new Promise<RunEvent[]>((resolve, reject) => {
    const sub = client.chat.events.subscribe(
      { runId, lastEventId: `${runId}:0` },
      {
        onData: ({ data }) => {
          all.push(data);
          onEvent(data, all);
          if (data.type === "run-end") {
            sub.unsubscribe();
            resolve(all);
          }
        },
        onError: reject,
      },
    );
  });
  return { all, ended };
}

const shownText = (events: RunEvent[]) => events.map((e) => (e.type === "text-delta" ? e.delta : "")).join("");
const deltas = (events: RunEvent[]) => events.filter((e) => e.type === "text-delta").length;
const answerText = (m: UiMessage | undefined) => (m?.role === "assistant" ? m.parts.map((p) => (p.type === "text" ? p.text : "")).join("") : null);

/** Resolves once `ready()` holds, checking every 50 ms for up to `ms`. */
async function until(ready: () => boolean | Promise<boolean>, what: string, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const readyStatus = async (server: Server) => (await fetch(`${server.url}/api/ready`)).status;
const scrape = async (server: Server) => (await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
const logLines = (server: Server, msg: string) =>
  server
    .output()
    .split("\n")
    .filter((l) => l.includes(`"msg":"${msg}`)).length;

async function runRow(runId: string) {
  const { rows } = await pg.pool.query("SELECT status, error, owner_instance, recoveries FROM runs WHERE id = $1", [runId]);
  return rows[0] as { status: string; error: string | null; owner_instance: string; recoveries: number };
}

/** The event numbers Postgres holds for a run: every one a viewer saw must be there, in order, once. */
async function savedSeqs(runId: string): Promise<number[]> {
  const { rows } = await pg.pool.query("SELECT seq FROM run_events WHERE run_id = $1 ORDER BY seq", [runId]);
  return rows.map((r) => Number(r.seq));
}

/** Starts the long answer on `server`, and stops Postgres once its viewer has read a few words. */
async function stopMidAnswer(server: Server) {
  const client = clientFor(server, cookie);
  const { runId, threadId } = await client.chat.send.mutate({ text: LONG.text });
  const viewer = watch(client, runId);
  await until(() => deltas(viewer.all) >= 5, "the answer is streaming");
  await pg.stop();
  return { client, runId, threadId, viewer };
}

describe("the database goes away and comes back", () => {
  it("a restart in the middle of an answer: the answer finishes, and all of it is saved", async () => {
    const server = await startServer(pg.url, LONG.env);
    try {
      const { client, threadId, viewer } = await stopMidAnswer(server);
      await pg.start();
      const events = await viewer.ended;
      expect(events.at(-1)).toEqual({ type: "run-end", status: "succeeded", error: null });
      const { messages } = await client.thread.messages.query({ threadId });
      expect(answerText(messages[1])).toBe(shownText(events));
      expect(answerText(messages[1])).toContain("offline demo model");
    } finally {
      await server.stop();
    }
  }, 90_000);

  it("a 15 s outage, shorter than DB_OUTAGE_GRACE_MS: the viewer keeps reading, every word is saved in order, and the writer stays at a bounded rate", async () => {
    const server = await startServer(pg.url, { ...LONG.env, DB_OUTAGE_GRACE_MS: "60000" });
    try {
      const { client, runId, threadId, viewer } = await stopMidAnswer(server);
      const stoppedAt = Date.now();
      const seenBefore = deltas(viewer.all);
      // Stays down until the whole answer has streamed, so the step's checkpoint is written during the outage too.
      await until(() => viewer.all.some((e) => e.type === "message-end"), "the answer's last word is shown during the outage");
      // As long as the outage that once lost an answer (15 s): the step's checkpoint waits all that time.
      await until(() => Date.now() - stoppedAt >= 15_000, "15 s of outage", 60_000);
      expect(deltas(viewer.all)).toBeGreaterThan(seenBefore + 20);
      expect(await readyStatus(server)).toBe(503);
      const outageSeconds = (Date.now() - stoppedAt) / 1000;
      const failedWrites = metricValue(await scrape(server), "threadline_event_write_attempts_total", { result: "failed" });
      await pg.start();

      const events = await viewer.ended;
      expect(events.at(-1)).toEqual({ type: "run-end", status: "succeeded", error: null });
      const { messages } = await client.thread.messages.query({ threadId });
      expect(answerText(messages[1])).toBe(shownText(events));
      // Numbered 1…n with none missing: what the viewer saw is what another viewer, or a reload, reads.
      const seqs = await savedSeqs(runId);
      expect(seqs).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
      expect(await readyStatus(server)).toBe(200);
      // Capped backoff: about one statement a second once it has backed off, however many batches wait.
      expect(failedWrites).toBeGreaterThan(0);
      expect(failedWrites).toBeLessThanOrEqual(outageSeconds + 4);
      // Told once, with its length, not once per batch.
      expect(logLines(server, "database unreachable")).toBe(1);
      expect(logLines(server, "database reachable again")).toBe(1);
      expect(logLines(server, "could not record run events")).toBe(0);
      expect(await runRow(runId)).toMatchObject({ status: "succeeded", recoveries: 0 });
    } finally {
      await pg.start();
      await server.stop();
    }
  }, 90_000);

  it("an outage longer than DB_OUTAGE_GRACE_MS: the run ends interrupted, keeps what was shown, and Continue finishes it", async () => {
    const server = await startServer(pg.url, { ...LONG.env, DB_OUTAGE_GRACE_MS: "1500" });
    try {
      const { client, runId, threadId, viewer } = await stopMidAnswer(server);
      await until(() => logLines(server, "run interrupted: the database was unavailable") === 1, "the grace runs out");
      await pg.start();

      const events = await viewer.ended;
      expect(events.at(-1)).toEqual({ type: "run-end", status: "interrupted", error: DATABASE_LOST });
      expect(await runRow(runId)).toMatchObject({ status: "interrupted", error: DATABASE_LOST });
      const shown = shownText(events);
      expect(shown.length).toBeGreaterThan(0);
      // Cut off mid-answer when the grace ran out, not left to stream to its end.
      expect(events.some((e) => e.type === "message-end")).toBe(false);
      expect(shown).not.toContain("restart Threadline.");
      const kept = await client.thread.messages.query({ threadId });
      expect(kept.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
      expect(kept.messages[0]).toMatchObject({ role: "user", text: LONG.text });
      // The partial answer, exactly as far as the viewer read it.
      expect(answerText(kept.messages[1])).toBe(shown);
      expect(await savedSeqs(runId)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));

      const again = await client.chat.retry.mutate({ threadId });
      expect((await watch(client, again.runId).ended).at(-1)).toEqual({ type: "run-end", status: "succeeded", error: null });
      const after = await client.thread.messages.query({ threadId });
      expect(after).toMatchObject({ activeRunId: null, interrupted: false });
      expect(answerText(after.messages.at(-1))).toContain("offline demo model");
    } finally {
      await pg.start();
      await server.stop();
    }
  }, 90_000);

  it("an outage while idle: sending is refused with a clear 503, and works once Postgres is back", async () => {
    const server = await startServer(pg.url, LONG.env);
    try {
      const client = clientFor(server, cookie);
      const { id: threadId } = await client.thread.create.mutate();
      await pg.stop();
      const refused = await client.chat.send.mutate({ threadId, text: "hello?" }).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(TRPCClientError);
      expect((refused as TRPCClientError<never>).message).toBe("Threadline can't reach its database right now. Try again in a moment.");
      expect((refused as TRPCClientError<never>).data).toMatchObject({ code: "SERVICE_UNAVAILABLE", httpStatus: 503 });
      expect(await readyStatus(server)).toBe(503);
      await pg.start();
      const { runId } = await client.chat.send.mutate({ threadId, text: "what is 12*7?" });
      expect((await watch(client, runId).ended).at(-1)).toEqual({ type: "run-end", status: "succeeded", error: null });
      expect(await readyStatus(server)).toBe(200);
    } finally {
      await pg.start();
      await server.stop();
    }
  }, 90_000);

  it("two instances through an outage longer than the stale window: the living owner keeps its run, nobody runs it twice, and LISTEN comes back", async () => {
    // Heartbeats far apart against frequent sweeps: when Postgres returns, every heartbeat looks
    // stale, and the other instance sweeps many times before the owner's next heartbeat.
    const timing = { RUN_HEARTBEAT_MS: "1500", RUN_STALE_AFTER_MS: "3000", RUN_SWEEP_MS: "100", DB_OUTAGE_GRACE_MS: "60000" };
    const [a, b] = await Promise.all([startServer(pg.url, { ...LONG.env, ...timing }), startServer(pg.url, { ...LONG.env, ...timing })]);
    try {
      const onA = clientFor(a, cookie);
      const { runId, threadId } = await onA.chat.send.mutate({ text: LONG.text });
      const local = watch(onA, runId);
      const elsewhere = watch(clientFor(b, cookie), runId);
      await until(() => deltas(elsewhere.all) >= 3, "the other instance follows the answer");
      await pg.stop();
      const stoppedAt = Date.now();
      await until(() => local.all.some((e) => e.type === "message-end"), "the answer has streamed on its own instance");
      await until(() => Date.now() - stoppedAt > 4_000, "the outage outlasts the stale window");
      await pg.start();

      const [here, there] = await Promise.all([local.ended, elsewhere.ended]);
      expect(here.at(-1)).toEqual({ type: "run-end", status: "succeeded", error: null });
      // The other instance's viewer reads the same answer, from Postgres.
      expect(shownText(there)).toBe(shownText(here));
      expect(await runRow(runId)).toMatchObject({ status: "succeeded", recoveries: 0, owner_instance: expect.stringContaining(`:${a.process.pid}:`) });
      expect(a.output()).not.toContain('"msg":"taking over run"');
      expect(b.output()).not.toContain('"msg":"taking over run"');
      const { messages } = await onA.thread.messages.query({ threadId });
      expect(messages.map((m) => m.role)).toEqual(["user", "assistant"]);
      // Both instances listen again: one LISTEN connection each.
      await until(async () => {
        const { rows } = await pg.pool.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'LISTEN %'");
        return rows[0].n === 2;
      }, "both instances are listening again");
    } finally {
      await pg.start();
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 120_000);
});
