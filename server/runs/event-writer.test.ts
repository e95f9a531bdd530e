import pg from "pg";
import { describe, expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { metrics } from "@/server/observability/metrics";
import type { SequencedEvent } from "@/lib/run-events";
import { CHANNELS } from "./notify";
import { appendEvents } from "./event-writer";
import { readEvents } from "./store";

const t = testDatabaseForFile();

/** `n` running runs, each on a thread of its own (a thread has one active run at most). */
async function makeRuns(n: number): Promise<string[]> {
  const user = `writer-${Math.random().toString(36).slice(2)}`;
  await t.pool.query(`INSERT INTO "user" (id, email) VALUES ($1, $1 || '@example.com')`, [user]);
  const { rows } = await t.pool.query(
    `WITH th AS (INSERT INTO threads (user_id, title) SELECT $1, 'w' || g FROM generate_series(1, $2) g RETURNING id)
     INSERT INTO runs (thread_id, user_id, status) SELECT id, $1, 'running' FROM th RETURNING id`,
    [user, n],
  );
  return rows.map((r) => r.id as string);
}

const delta = (seq: number, text: string): SequencedEvent => ({ seq, event: { type: "text-delta", messageId: "m", delta: text } });

/** Statements the app's pool has run so far (every statement is timed into this histogram). */
async function statements(): Promise<number> {
  const metric = await metrics().dbQuery.get();
  return metric.values.find((v) => v.metricName === "threadline_db_query_seconds_count")?.value ?? 0;
}

/** Collects NOTIFY payloads on a channel until `stop` is called. */
async function listen(channel: string) {
  const client = new pg.Client({ connectionString: t.url });
  await client.connect();
  const payloads: string[] = [];
  client.on("notification", (msg) => payloads.push(msg.payload ?? ""));
  await client.query(`LISTEN ${channel}`);
  return { payloads, stop: () => client.end() };
}

describe("run events are written with group commit", () => {
  it("writes the appends of 400 runs in one statement, and wakes followers of every one of them", async () => {
    const ids = await makeRuns(400);
    const heard = await listen(CHANNELS.events);
    const before = await statements();
    await Promise.all(ids.map((id, i) => appendEvents(t.db, id, [delta(1, `a${i}`), delta(2, `b${i}`)], null)));
    expect((await statements()) - before).toBe(1);

    for (const [i, id] of ids.entries())
      expect((await readEvents(t.db, id, 0)).map((e) => e.event)).toEqual([delta(1, `a${i}`).event, delta(2, `b${i}`).event]);
    // Payloads name "<runId>:<last seq>", split to stay under Postgres's 8,000-byte limit.
    await expect.poll(() => heard.payloads.flatMap((p) => p.split(" ")).sort()).toEqual(ids.map((id) => `${id}:2`).sort());
    expect(heard.payloads.length).toBeGreaterThan(1);
    expect(Math.max(...heard.payloads.map((p) => Buffer.byteLength(p)))).toBeLessThan(8000);
    await heard.stop();
  });

  it("keeps one run's failure to itself: the others in the same statement are written", async () => {
    const [clashing, ok] = await makeRuns(2);
    await appendEvents(t.db, clashing!, [delta(1, "first")], null);
    // The same number again (as a second owner of a run might write) fails; its neighbour does not.
    const results = await Promise.allSettled([appendEvents(t.db, clashing!, [delta(1, "again")], null), appendEvents(t.db, ok!, [delta(1, "fine")], null)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled"]);
    expect((await readEvents(t.db, clashing!, 0)).map((e) => e.event)).toEqual([delta(1, "first").event]);
    expect((await readEvents(t.db, ok!, 0)).map((e) => e.event)).toEqual([delta(1, "fine").event]);
  });

  it("drops the events of a run whose thread was deleted meanwhile, and records the endings of the rest", async () => {
    const [gone, ending] = await makeRuns(2);
    await t.pool.query("DELETE FROM threads WHERE id = (SELECT thread_id FROM runs WHERE id = $1)", [gone]);
    const activity = await listen(CHANNELS.activity);
    await Promise.all([
      appendEvents(t.db, gone!, [delta(1, "orphan")], null),
      appendEvents(t.db, ending!, [{ seq: 1, event: { type: "run-end", status: "failed", error: "Could not reach the model provider." } }], {
        status: "failed",
        error: "Could not reach the model provider.",
      }),
    ]);
    const { rows } = await t.pool.query("SELECT status, error, finished_at IS NOT NULL AS finished, user_id, thread_id FROM runs WHERE id = $1", [ending]);
    expect(rows[0]).toMatchObject({ status: "failed", error: "Could not reach the model provider.", finished: true });
    expect((await t.pool.query("SELECT count(*)::int AS n FROM run_events WHERE run_id = $1", [gone])).rows[0].n).toBe(0);
    await expect.poll(() => activity.payloads).toEqual([`${rows[0].user_id}|${rows[0].thread_id}|run-ended`]);
    await activity.stop();
  });
});
