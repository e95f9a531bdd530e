import { sql } from "drizzle-orm";
import { encode } from "next-auth/jwt";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { settingsPerTest } from "@/scripts/testing/settings";
import { uniqueEmail } from "@/scripts/testing/users";
import { notificationHub } from "@/server/runs/notify";
import { sessionFromCookies } from "./session-cookie";
import { endAllSessions, endSession, startSession } from "./sessions";
import { createUser } from "./users";

const SECRET = "session-cookie-test-secret-session-cookie-test";
const NAME = "authjs.session-token";
const t = testDatabaseForFile();
let userId: string;
beforeAll(async () => {
  const created = await createUser(t.db, { email: uniqueEmail(), password: "correct-horse-42" });
  if (!created.ok) throw new Error("no user");
  userId = created.user.id;
});

const cookieFor = async (claims: Record<string, unknown>, opts: { salt?: string; secret?: string; maxAge?: number } = {}) =>
  encode({ token: claims, secret: opts.secret ?? SECRET, salt: opts.salt ?? NAME, maxAge: opts.maxAge });
/** A signed-in user's cookie, as Auth.js issues it after a sign-in. */
const signedIn = async (claims: Record<string, unknown> = {}, opts: Parameters<typeof cookieFor>[1] = {}) => {
  const session = await startSession(t.db, userId);
  return { ...session, token: await cookieFor({ sub: userId, ...session, ...claims }, opts) };
};
const read = (header: string | null) => sessionFromCookies(t.db, header);

describe("the session of an API request, read from its cookie", () => {
  const set = settingsPerTest();
  beforeEach(() => set({ AUTH_SECRET: SECRET, AUTH_SECRET_1: undefined }));
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reads the user from Auth.js's cookie, among others, under either of its names", async () => {
    const { token } = await signedIn({ email: "a@example.com", name: "Ada" });
    const session = await read(`theme=dark; ${NAME}=${token}; other=1`);
    expect(session?.user).toEqual({ id: userId, email: "a@example.com", name: "Ada", image: null });

    const secure = await signedIn({}, { salt: `__Secure-${NAME}` });
    expect((await read(`__Secure-${NAME}=${secure.token}`))?.user?.id).toBe(userId);
  });

  it("refuses a cookie it did not sign, one under the wrong name, a tampered one, and none at all", async () => {
    expect(await read(`${NAME}=${(await signedIn({}, { secret: "someone-elses-secret-someone-elses-secret" })).token}`)).toBeNull();
    // Encrypted for the secure name but sent under the plain one: the salt differs, so it fails.
    expect(await read(`${NAME}=${(await signedIn({}, { salt: `__Secure-${NAME}` })).token}`)).toBeNull();
    const { token } = await signedIn();
    const tampered = token.slice(0, -6) + (token.endsWith("AAAAAA") ? "BBBBBB" : "AAAAAA");
    expect(await read(`${NAME}=${tampered}`)).toBeNull();
    expect(await read(null)).toBeNull();
    expect(await read("theme=dark")).toBeNull();
  });

  it("accepts cookies signed with a secret being rotated out (AUTH_SECRET_1)", async () => {
    const old = "the-previous-secret-the-previous-secret-xx";
    const { token } = await signedIn({}, { secret: old });
    set({ AUTH_SECRET_1: old });
    expect((await read(`${NAME}=${token}`))?.user?.id).toBe(userId);
  });

  it("stops accepting a cookie when it expires, though it was read (and remembered) before", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { token } = await signedIn({}, { maxAge: 60 });
    expect((await read(`${NAME}=${token}`))?.user?.id).toBe(userId);
    vi.setSystemTime(Date.now() + 59_000);
    expect((await read(`${NAME}=${token}`))?.user?.id).toBe(userId);
    vi.setSystemTime(Date.now() + 61_000);
    expect(await read(`${NAME}=${token}`)).toBeNull();
  });
});

describe("a session ends on the server, whatever the cookie says", () => {
  const set = settingsPerTest();
  beforeEach(() => set({ AUTH_SECRET: SECRET, SESSION_RECHECK_SECONDS: 3_600 }));

  it("refuses a validly signed cookie that names no sign-in, or someone else's", async () => {
    expect(await read(`${NAME}=${await cookieFor({ sub: userId })}`)).toBeNull();
    const forged = await cookieFor({ sub: userId, sid: "made-up", sessionEnds: Math.floor(Date.now() / 1000) + 3_600 });
    expect(await read(`${NAME}=${forged}`)).toBeNull();
    const { sid, sessionEnds } = await startSession(t.db, userId);
    expect(await read(`${NAME}=${await cookieFor({ sub: "another-user", sid, sessionEnds })}`)).toBeNull();
  });

  it("refuses the cookie of a signed-out session at once, on this instance", async () => {
    const { sid, token } = await signedIn();
    expect(await read(`${NAME}=${token}`)).not.toBeNull();
    await endSession(t.db, sid);
    expect(await read(`${NAME}=${token}`)).toBeNull();
  });

  it("hears of a session another instance ended, though it remembered the session as live", async () => {
    const { sid, token } = await signedIn();
    expect(await read(`${NAME}=${token}`)).not.toBeNull();
    await expect.poll(() => notificationHub(t.url).connected).toBe(true);
    // What endSession does on another instance: the row, and the announcement, but not this instance's memory.
    await t.db.execute(
      sql`WITH ended AS (UPDATE user_sessions SET ended_at = now() WHERE id = ${sid} RETURNING id) SELECT pg_notify('threadline_session_ended', id) FROM ended`,
    );
    await expect.poll(() => read(`${NAME}=${token}`)).toBeNull();
  });

  it("asks Postgres again once the recheck interval has passed, even when no announcement came", async () => {
    const { sid, token } = await signedIn();
    expect(await read(`${NAME}=${token}`)).not.toBeNull();
    await t.db.execute(sql`UPDATE user_sessions SET ended_at = now() WHERE id = ${sid}`);
    expect(await read(`${NAME}=${token}`)).not.toBeNull(); // remembered: no query for SESSION_RECHECK_SECONDS
    set({ SESSION_RECHECK_SECONDS: 0 });
    expect(await read(`${NAME}=${token}`)).toBeNull();
  });

  it("ends every session of a user when asked to sign out everywhere", async () => {
    const [a, b] = [await signedIn(), await signedIn()];
    await endAllSessions(t.db, userId);
    await expect.poll(async () => [await read(`${NAME}=${a.token}`), await read(`${NAME}=${b.token}`)]).toEqual([null, null]);
  });

  it("ends a sign-in at its absolute end, however recently its cookie was re-issued", async () => {
    // Re-issued on every page load, a cookie's exp moves on; the sign-in's end does not.
    const past = await signedIn({ sessionEnds: Math.floor(Date.now() / 1000) - 1 }, { maxAge: 30 * 86_400 });
    expect(await read(`${NAME}=${past.token}`)).toBeNull();
    // And a row that ended (SESSION_MAX_AGE_SECONDS lowered since) wins over the cookie's claim.
    set({ SESSION_RECHECK_SECONDS: 0 });
    const { sid, token } = await signedIn();
    await t.db.execute(sql`UPDATE user_sessions SET expires_at = now() - interval '1 second' WHERE id = ${sid}`);
    expect(await read(`${NAME}=${token}`)).toBeNull();
  });
});
