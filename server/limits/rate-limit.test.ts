import { TRPCError } from "@trpc/server";
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb, createPool } from "@/db/client";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { subscribeEvents } from "@/scripts/testing/events";
import { failure } from "@/scripts/testing/failure";
import { settingsPerTest } from "@/scripts/testing/settings";
import { signedInCaller } from "@/scripts/testing/users";
import { forget, hit, peek, slidingWindow } from "./rate-limit";

const t = testDatabaseForFile();
const set = settingsPerTest();

describe("rate limits in Postgres", () => {
  it("counts hits across instances and says how long to wait", async () => {
    const other = createPool(t.url); // a second instance's connections
    try {
      const key = `test:${crypto.randomUUID()}`;
      const windows = [{ max: 3, seconds: 3600 }];
      const verdicts = await Promise.all(Array.from({ length: 5 }, (_, i) => hit(i % 2 ? createDb(other) : t.db, key, windows)));
      expect(verdicts.filter((v) => v.ok)).toHaveLength(3);
      const refused = verdicts.filter((v) => !v.ok) as { retryAfterSeconds: number }[];
      expect(refused).toHaveLength(2);
      for (const r of refused) {
        expect(r.retryAfterSeconds).toBeGreaterThan(0);
        // The window slides: hits over the limit still weigh on the next hour.
        expect(r.retryAfterSeconds).toBeLessThanOrEqual(2 * 3600);
      }
    } finally {
      await other.end();
    }
  });

  it("slides its windows: a burst across a window's boundary gets no more than the limit through", () => {
    const minute = { max: 6, seconds: 60 };
    // Six messages in the last seconds of one minute, then a seventh 2 s into the next: refused.
    const seventh = slidingWindow({ ...minute, previous: 6, hits: 1, elapsed: 2 });
    // The refused one counts too, so the next fits once 6 × (1 - t/60) + 2 ≤ 6: at t = 20 s.
    expect(seventh).toEqual({ ok: false, retryAfterSeconds: 18 });
    // Had the seventh come 10 s in, the earlier minute's share would have worn down enough for it.
    expect(slidingWindow({ ...minute, previous: 6, hits: 1, elapsed: 10 })).toEqual({ ok: true });
    // Within one window it counts plainly, and a burst over the limit waits into the next window.
    expect(slidingWindow({ ...minute, previous: 0, hits: 6, elapsed: 30 })).toEqual({ ok: true });
    expect(slidingWindow({ ...minute, previous: 0, hits: 7, elapsed: 30 })).toEqual({ ok: false, retryAfterSeconds: 30 + Math.ceil(60 * (1 - 5 / 7)) });
    // The previous minute's hits weigh less as this one goes on: 3 × 1/4 + 5 fits at 45 s, not at 15 s.
    expect(slidingWindow({ ...minute, previous: 3, hits: 5, elapsed: 45 })).toEqual({ ok: true });
    expect(slidingWindow({ ...minute, previous: 3, hits: 5, elapsed: 15 }).ok).toBe(false);
  });

  it("limits a user's messages per minute with a clear wait, and keeps what was already sent", async () => {
    set({ MESSAGE_RATE_PER_MINUTE: 2 });
    const { caller } = await signedInCaller(t);
    const first = await caller.chat.send({ text: "one" });
    const thread = first.threadId;
    await expect.poll(async () => (await caller.thread.messages({ threadId: thread })).activeRunId).toBeNull();
    await caller.chat.send({ threadId: thread, text: "two" });
    await expect.poll(async () => (await caller.thread.messages({ threadId: thread })).activeRunId).toBeNull();
    const err = await caller.chat.send({ threadId: thread, text: "three" }).catch((e: TRPCError) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("TOO_MANY_REQUESTS");
    // Seconds or minutes, by where in the minute it ran: the refused message weighs on the next one too.
    expect((err as TRPCError).message).toMatch(/^You're sending messages too quickly\. Try again in \d+ (seconds?|minutes?)\.$/);
    const { messages } = await caller.thread.messages({ threadId: thread });
    expect(messages.filter((m) => m.role === "user").map((m) => (m.role === "user" ? m.text : ""))).toEqual(["one", "two"]);
    // Another user is not affected.
    const { caller: someoneElse } = await signedInCaller(t);
    const theirs = await someoneElse.chat.send({ text: "hello" });
    expect((await subscribeEvents(someoneElse, theirs.runId)).at(-1)!.event).toMatchObject({ status: "succeeded" });
  });

  it("limits the conversations a user starts, by New chat or by a first message, and no one else's", async () => {
    set({ THREAD_RATE_PER_MINUTE: 2 });
    const { caller } = await signedInCaller(t);
    await caller.thread.create();
    const first = await caller.chat.send({ text: "hello" });
    await expect.poll(async () => (await caller.thread.messages({ threadId: first.threadId })).activeRunId).toBeNull();
    // Each started only when awaited: a refusal left waiting would be an unhandled rejection.
    for (const refused of [() => caller.thread.create({ title: "third" }), () => caller.chat.send({ text: "a third one" })]) {
      const err = await failure(refused());
      expect(err.code).toBe("TOO_MANY_REQUESTS");
      expect(err.message).toMatch(/^You're starting conversations too quickly\. Try again in \d+ (seconds?|minutes?)\.$/);
    }
    expect((await caller.thread.list({})).items).toHaveLength(2);
    // A message in a conversation that exists is not a new conversation.
    expect((await caller.chat.send({ threadId: first.threadId, text: "again" })).threadId).toBe(first.threadId);
    await expect.poll(async () => (await caller.thread.messages({ threadId: first.threadId })).activeRunId).toBeNull();
    const { caller: someoneElse } = await signedInCaller(t);
    await expect(someoneElse.thread.create()).resolves.toMatchObject({ title: "New chat" });
  });

  it("peeks without counting, and forgets a key in every window", async () => {
    const key = `test:${crypto.randomUUID()}`;
    const windows = [
      { max: 2, seconds: 60 },
      { max: 5, seconds: 3600 },
    ];
    for (let i = 0; i < 3; i++) expect(await peek(t.db, key, windows)).toEqual({ ok: true });
    await hit(t.db, key, windows);
    expect(await peek(t.db, key, windows)).toEqual({ ok: true }); // one counted, one more fits
    await hit(t.db, key, windows);
    const full = await peek(t.db, key, windows);
    expect(full.ok).toBe(false);
    expect((full as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    await forget(t.db, key, windows);
    expect(await peek(t.db, key, windows)).toEqual({ ok: true });
    const left = await t.db.execute(sql`SELECT count(*)::int AS n FROM rate_limits WHERE key LIKE ${`${key}:%`}`);
    expect(left.rows[0]).toEqual({ n: 0 });
  });

  it("stores a key too long for the index as its hash", async () => {
    // Random, so that Postgres cannot compress it under the index's limit of about 2,700 bytes.
    const key = `test:${randomBytes(4000).toString("base64")}`;
    const windows = [{ max: 1, seconds: 60 }];
    expect(await hit(t.db, key, windows)).toEqual({ ok: true });
    expect((await hit(t.db, key, windows)).ok).toBe(false);
    expect((await peek(t.db, `${key.slice(0, -1)}!`, windows)).ok).toBe(true);
  });
});
