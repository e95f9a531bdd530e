/** A real `next start` with the offline model, answering messages chosen to be slow to read. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { MAX_MESSAGE_LENGTH } from "@/lib/limits";
import { createUser } from "@/server/auth/users";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { clientFor, type Server, sessionCookie, startServer } from "@/scripts/testing/servers";
import { uniqueEmail } from "@/scripts/testing/users";

const t = testDatabaseForFile();
let server: Server;
let client: ReturnType<typeof clientFor>;
beforeAll(async () => {
  server = await startServer(t.url, { OFFLINE_MODEL_DELAY_MS: "0" });
  const created = await createUser(t.db, { email: uniqueEmail(), password: "correct-horse-42" });
  if (!created.ok) throw new Error("no user");
  client = clientFor(server, await sessionCookie(t.db, created.user.id, created.user.email));
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

const longest = (pattern: string) => pattern.repeat(Math.ceil(MAX_MESSAGE_LENGTH / pattern.length)).slice(0, MAX_MESSAGE_LENGTH);

/**
 * Sends four copies of a message at once, asking for /api/health one request after another until
 * all four are answered: the slowest health answer in that time, in ms.
 */
async function slowestHealthWhileAnswering(text: string): Promise<number> {
  const started = await Promise.all([1, 2, 3, 4].map(() => client.chat.send.mutate({ text })));
  const runIds = started.map((s) => s.runId);
  let slowest = 0;
  for (;;) {
    const asked = performance.now();
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    slowest = Math.max(slowest, performance.now() - asked);
    const { rows } = await t.pool.query("SELECT count(*)::int AS n FROM runs WHERE id = ANY($1::uuid[]) AND status = 'running'", [runIds]);
    if (rows[0].n === 0) return slowest;
  }
}

it("stays responsive while answering the longest messages of unbalanced parentheses", { timeout: 120_000 }, async () => {
  // Twice each, alternately; the worst case's quickest round against the plain text's slowest.
  const plain: number[] = [];
  const worst: number[] = [];
  for (let round = 0; round < 2; round++) {
    plain.push(await slowestHealthWhileAnswering(longest("hello there ")));
    worst.push(await slowestHealthWhileAnswering(longest("(")));
  }
  expect(Math.min(...worst) / Math.max(...plain), JSON.stringify({ plain, worst })).toBeLessThan(10);
});
