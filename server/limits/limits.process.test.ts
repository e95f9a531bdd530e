/** A real `next start` over HTTP under the two floods of the security review: sign-ins, and one call of many procedures. */
import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { threads } from "@/db/schema";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { metricValue } from "@/scripts/testing/metrics";
import { type Server, sessionCookie, startServer } from "@/scripts/testing/servers";
import { uniqueEmail } from "@/scripts/testing/users";
import { createUser } from "@/server/auth/users";

const t = testDatabaseForFile();
const TOKEN = "scrape-me-please";
const SLOTS = 2;
const LINE = 2;
const BATCH = 20;
const THREADS_PER_MINUTE = 5;
let server: Server;

beforeAll(async () => {
  server = await startServer(t.url, {
    METRICS_TOKEN: TOKEN,
    PASSWORD_HASH_CONCURRENCY: String(SLOTS),
    PASSWORD_HASH_QUEUE: String(LINE),
    TRPC_MAX_BATCH_SIZE: String(BATCH),
    THREAD_RATE_PER_MINUTE: String(THREADS_PER_MINUTE),
  });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

const metrics = async () => (await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();

async function signedInCookie() {
  const created = await createUser(t.db, { email: uniqueEmail(), password: "correct-horse-42" });
  if (!created.ok) throw new Error("could not create test user");
  return { userId: created.user.id, cookie: await sessionCookie(t.db, created.user.id, created.user.email) };
}

/** One HTTP call of `paths` as tRPC batches them: `/api/trpc/a,b?batch=1`, each input under its index. */
function batch(cookie: string, paths: string[], method: "GET" | "POST" = "POST") {
  const inputs = JSON.stringify(Object.fromEntries(paths.map((_, i) => [i, { json: method === "POST" ? { title: `t${i}` } : {} }])));
  const url = `${server.url}/api/trpc/${paths.join(",")}?batch=1${method === "GET" ? `&input=${encodeURIComponent(inputs)}` : ""}`;
  return fetch(url, { method, headers: { cookie, "content-type": "application/json" }, body: method === "POST" ? inputs : undefined });
}

describe("a burst of sign-ins", () => {
  it("runs at most PASSWORD_HASH_CONCURRENCY hashes at once, and refuses what the line cannot hold as busy, before hashing", async () => {
    // As the review did it: each attempt with its own email and its own X-Forwarded-For.
    const csrf = await fetch(`${server.url}/api/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const cookie = csrf.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const before = await metrics();
    const attempts = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const res = await fetch(`${server.url}/api/auth/callback/credentials`, {
          method: "POST",
          redirect: "manual",
          headers: { "content-type": "application/x-www-form-urlencoded", cookie, "x-forwarded-for": `198.18.${i}.${i}` },
          body: new URLSearchParams({ email: `${randomUUID()}@example.com`, password: "a-guess", csrfToken, callbackUrl: "/" }),
        });
        // Auth.js sends a refused sign-in back to the form with the refusal's code, which the form turns into its message.
        return new URL(res.headers.get("location") ?? "", server.url).searchParams.get("code");
      }),
    );
    const after = await metrics();
    const busy = attempts.filter((code) => code === "busy").length;
    const answered = attempts.filter((code) => code === "credentials").length;
    expect(busy + answered).toBe(attempts.length);
    expect(busy).toBeGreaterThan(0);
    expect(answered).toBeGreaterThanOrEqual(SLOTS + LINE);
    // Never more than the slots at once; every busy one refused without a hash.
    expect(metricValue(after, "threadline_password_hashes_running_max")).toBe(SLOTS);
    expect(metricValue(after, "threadline_password_hashes_refused_total") - metricValue(before, "threadline_password_hashes_refused_total")).toBe(busy);
    expect(metricValue(after, "threadline_password_hashes_running")).toBe(0);
  });
});

describe("one HTTP call of many procedures", () => {
  it(`refuses more than TRPC_MAX_BATCH_SIZE calls before any runs, and runs ${BATCH}`, async () => {
    const { userId, cookie } = await signedInCookie();
    const tooMany = await batch(cookie, Array(BATCH + 1).fill("thread.create"));
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).error.json.message).toBe(`Too many calls in one request (${BATCH + 1}; at most ${BATCH})`);
    expect(await t.db.select().from(threads).where(eq(threads.userId, userId))).toEqual([]);
    // Queries batched over GET too.
    expect((await batch(cookie, Array(BATCH + 1).fill("thread.list"), "GET")).status).toBe(400);
    const allowed = await batch(cookie, Array(BATCH).fill("thread.list"), "GET");
    expect(allowed.status).toBe(200);
    expect(((await allowed.json()) as unknown[]).map((r) => (r as { result?: { data: { json: { items: unknown[] } } } }).result?.data.json.items)).toEqual(
      Array(BATCH).fill([]),
    );
  });

  it("creates no more conversations than THREAD_RATE_PER_MINUTE, however they are batched", async () => {
    const { userId, cookie } = await signedInCookie();
    const res = await batch(cookie, Array(BATCH).fill("thread.create"));
    const results = (await res.json()) as { result?: unknown; error?: { json: { message: string; data: { code: string } } } }[];
    expect(results.filter((r) => r.result)).toHaveLength(THREADS_PER_MINUTE);
    const refused = results.filter((r) => r.error).map((r) => r.error!.json);
    expect(refused).toHaveLength(BATCH - THREADS_PER_MINUTE);
    for (const err of refused) {
      expect(err.data.code).toBe("TOO_MANY_REQUESTS");
      expect(err.message).toMatch(/^You're starting conversations too quickly\. Try again in \d+ (seconds?|minutes?)\.$/);
    }
    const made = await t.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM threads WHERE user_id = ${userId}`);
    expect(made.rows[0]!.n).toBe(THREADS_PER_MINUTE);
  });
});
