import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accounts, sessions, verificationTokens } from "@/db/schema";
import { testAgent } from "@/scripts/testing/agent";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { subscribeEvents, succeeded } from "@/scripts/testing/events";
import { settingsPerTest } from "@/scripts/testing/settings";
import { sessionFor, signedInCaller, testContext } from "@/scripts/testing/users";
import { createOfflineModel } from "@/server/agent/offline-model";
import { sessionIsLive, startSession } from "@/server/auth/sessions";
import { verifyCredentials } from "@/server/auth/users";
import { addMemory } from "@/server/memory/store";
import { saveAttachment } from "@/server/attachments/store";
import { TINY_PNG } from "@/scripts/testing/attachments";
import { localRunIds } from "@/server/runs/registry";
import { createCaller } from "@/server/trpc/root";

const t = testDatabaseForFile();
const set = settingsPerTest();
const PASSWORD = "correct-horse-42";

/** A user signed in twice, through a caller that knows which session it is (as the API's does). */
async function twoSessions() {
  const { user } = await signedInCaller(t);
  const [mine, other] = [await startSession(t.db, user.id), await startSession(t.db, user.id)];
  const caller = createCaller(testContext(t, { ...sessionFor(user.id), sid: mine.sid }));
  const live = (s: { sid: string; sessionEnds: number }) => sessionIsLive(t.db, { sub: user.id, ...s });
  return { user, caller, mine, other, live };
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: { code: string; message: string }) => [e.code, e.message],
  );

describe("change password", () => {
  it("asks for the current password, then signs in with the new one only, and ends every other session", async () => {
    const { user, caller, mine, other, live } = await twoSessions();
    expect([await live(mine), await live(other)]).toEqual([true, true]);
    expect(await refusal(caller.account.changePassword({ currentPassword: "not-my-password", newPassword: "a-new-secret-99" }))).toEqual([
      "BAD_REQUEST",
      "Your current password is not right",
    ]);
    expect([await live(mine), await live(other)]).toEqual([true, true]);
    expect(await refusal(caller.account.changePassword({ currentPassword: PASSWORD, newPassword: "short" }))).toEqual([
      "BAD_REQUEST",
      "newPassword: Password must be at least 8 characters",
    ]);

    await caller.account.changePassword({ currentPassword: PASSWORD, newPassword: "a-new-secret-99" });
    expect(await verifyCredentials(t.db, { email: user.email, password: PASSWORD })).toBeNull();
    expect(await verifyCredentials(t.db, { email: user.email, password: "a-new-secret-99" })).toMatchObject({ id: user.id });
    expect([await live(mine), await live(other)]).toEqual([true, false]);
  });

  it("limits wrong current passwords as failed sign-ins are, even before the right one", async () => {
    set({ SIGNIN_FAILURES_PER_EMAIL_IP: 2 });
    const { caller } = await twoSessions();
    const wrong = () => refusal(caller.account.changePassword({ currentPassword: "guess-guess", newPassword: "a-new-secret-99" }));
    expect(await wrong()).toEqual(["BAD_REQUEST", "Your current password is not right"]);
    expect(await wrong()).toEqual(["BAD_REQUEST", "Your current password is not right"]);
    const limited = ["TOO_MANY_REQUESTS", expect.stringMatching(/^Too many wrong passwords\. Try again in \d+ minutes\.$/)];
    expect(await wrong()).toEqual(limited);
    expect(await refusal(caller.account.changePassword({ currentPassword: PASSWORD, newPassword: "a-new-secret-99" }))).toEqual(limited);
    // Another user's count is their own.
    const someoneElse = await twoSessions();
    await expect(someoneElse.caller.account.changePassword({ currentPassword: PASSWORD, newPassword: "a-new-secret-99" })).resolves.toEqual({ changed: true });
  });

  it("is refused to an account without a password", async () => {
    const { user, caller } = await twoSessions();
    await t.db.execute(sql`UPDATE "user" SET password_hash = NULL WHERE id = ${user.id}`);
    expect(await caller.account.get()).toEqual({ email: user.email, hasPassword: false });
    expect(await refusal(caller.account.changePassword({ currentPassword: PASSWORD, newPassword: "a-new-secret-99" }))).toEqual([
      "BAD_REQUEST",
      "Your account signs in through another provider and has no password to change",
    ]);
  });
});

describe("sign out everywhere", () => {
  it("ends every session of the user, the one asking included, and no one else's", async () => {
    const { caller, mine, other, live } = await twoSessions();
    const bystander = await twoSessions();
    await caller.account.signOutEverywhere();
    expect([await live(mine), await live(other)]).toEqual([false, false]);
    expect([await bystander.live(bystander.mine), await bystander.live(bystander.other)]).toEqual([true, true]);
  });
});

/** Every table of every schema the app's database holds (Postgres's own aside): a new table is counted without a change here. */
async function snapshot(): Promise<Record<string, { rows: number; digest: string }>> {
  const { rows: tables } = await t.pool.query<{ schema: string; name: string }>(
    `SELECT schemaname AS schema, tablename AS name FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
  );
  const out: Record<string, { rows: number; digest: string }> = {};
  for (const { schema, name } of tables) {
    const q = `"${schema}"."${name}"`;
    const { rows } = await t.pool.query(`SELECT count(*)::int AS rows, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS digest FROM ${q} x`);
    out[`${schema}.${name}`] = rows[0];
  }
  return out;
}

/** Tables that hold nobody's data: what a user does adds no row to them. */
const NOBODYS = ["drizzle.__drizzle_migrations", "langgraph.checkpoint_migrations", "public.search_backfill"];

/** A user with something in every table that holds a user's data. */
async function everything() {
  const { caller, user } = await signedInCaller(t);
  // A file sent with a message (attachments, message_attachments) and one uploaded but not sent yet.
  const sent = await saveAttachment(t.db, user.id, { name: "notes.txt", bytes: new TextEncoder().encode(`notes of ${user.id}`) });
  await saveAttachment(t.db, user.id, { name: "draft.png", bytes: TINY_PNG });
  const answeredIn = await succeeded(caller, caller.chat.send({ text: "what is 2+2?", attachments: [sent.id] }));
  const answer = (await caller.thread.messages({ threadId: answeredIn })).messages[1]!;
  await caller.feedback.set({ threadId: answeredIn, messageId: answer.id, rating: "bad", comment: "too short" });
  await caller.share.create({ threadId: answeredIn });
  const paused = await caller.chat.send({ text: "remember that the spare key is under the mat" });
  expect((await subscribeEvents(caller, paused.runId)).at(-1)!.event).toMatchObject({ status: "paused" });
  await addMemory(t.db, user.id, {
    kind: "profile",
    text: "I prefer metric units",
    threadId: answeredIn,
    messageId: null,
    toolCallId: null,
    embedding: null,
    embeddingModel: null,
  });
  await startSession(t.db, user.id);
  await caller.account.changePassword({ currentPassword: "wrong-password", newPassword: "a-new-secret-99" }).catch(() => undefined);
  const expires = new Date(Date.now() + 3600_000);
  await t.db.insert(accounts).values({ userId: user.id, type: "oauth", provider: "github", providerAccountId: randomUUID() });
  await t.db.insert(sessions).values({ sessionToken: randomUUID(), userId: user.id, expires });
  await t.db.insert(verificationTokens).values({ identifier: user.email, token: randomUUID(), expires });
  return { caller, user };
}

describe("delete account", () => {
  it("is refused unless the account's email is typed", async () => {
    const { caller, user } = await signedInCaller(t);
    expect(await refusal(caller.account.delete({ email: "someone@example.com" }))).toEqual(["BAD_REQUEST", "Type your account's email exactly to confirm"]);
    expect(await refusal(caller.account.delete({ email: "x".repeat(255) }))).toEqual(["BAD_REQUEST", "email: Email must be at most 254 characters"]);
    expect(await caller.account.get()).toEqual({ email: user.email, hasPassword: true });
  });

  it("removes every row of the user from every table, stops the answer being written, and leaves another user's untouched", { timeout: 60_000 }, async () => {
    await everything(); // the user who stays
    const before = await snapshot();

    const { user } = await everything();
    const session = await startSession(t.db, user.id);
    // An answer being written as the account goes: a slow model, caught after its first words.
    const slow = createCaller(testContext(t, { ...sessionFor(user.id), sid: session.sid }, testAgent(t.pool, createOfflineModel(200))));
    const writing = await slow.chat.send({ text: "hello there, tell me what you can do" });
    const stream = (await slow.chat.events({ runId: writing.runId, lastEventId: `${writing.runId}:0` }))[Symbol.asyncIterator]();
    while (((await stream.next()).value as unknown as [string, { type: string }])[1].type !== "text-delta");
    const added = await snapshot();
    const untouched = Object.keys(before).filter((table) => added[table]!.rows <= before[table]!.rows);
    expect(untouched).toEqual(NOBODYS);

    // This instance has seen the session live, and would trust that for SESSION_RECHECK_SECONDS.
    expect(await sessionIsLive(t.db, { sub: user.id, ...session })).toBe(true);
    await slow.account.delete({ email: ` ${user.email.toUpperCase()} ` });
    expect(await sessionIsLive(t.db, { sub: user.id, ...session })).toBe(false);
    // The stopped answer writes nothing back once the account is gone.
    await expect.poll(() => localRunIds(), { timeout: 20_000 }).toEqual([]);
    await stream.return?.();
    expect(await snapshot()).toEqual(before);
  });
});
