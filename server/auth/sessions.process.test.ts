/**
 * Sign out ends the session on every instance behind the load balancer, not only the one that
 * handled it. Two real servers on one database; the second remembers sessions for an hour, so
 * only the announcement over LISTEN can tell it.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser } from "@/server/auth/users";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { clientFor, type Server, signInOverHttp, signOutOverHttp, startServer } from "@/scripts/testing/servers";
import { uniqueEmail } from "@/scripts/testing/users";

const PASSWORD = "correct-horse-42";
const t = testDatabaseForFile();
let a: Server;
let b: Server;
beforeAll(async () => {
  [a, b] = await Promise.all([startServer(t.url), startServer(t.url, { SESSION_RECHECK_SECONDS: "3600" })]);
}, 120_000);
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

it("a session signed out on one instance is refused by another that had already accepted it", async () => {
  const email = uniqueEmail();
  await createUser(t.db, { email, password: PASSWORD });
  const cookie = await signInOverHttp(a.url, email, PASSWORD);
  const [onA, onB] = [clientFor(a, cookie), clientFor(b, cookie)];
  await expect(onB.thread.list.query({})).resolves.toMatchObject({ items: [] });
  await expect(onA.thread.list.query({})).resolves.toMatchObject({ items: [] });

  await signOutOverHttp(a.url, cookie);
  await expect(onA.thread.list.query({})).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
  await expect
    .poll(
      () =>
        onB.thread.list.query({}).then(
          () => "accepted",
          (err: { data?: { code?: string } }) => err.data?.code,
        ),
      { timeout: 10_000 },
    )
    .toBe("UNAUTHORIZED");
});
