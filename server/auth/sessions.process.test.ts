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

/** Whether the cookie still opens the app's home page there (a page load runs Auth.js's jwt callback), or is sent to sign in. */
const pageOpens = (server: Server, cookie: string) =>
  fetch(`${server.url}/`, { redirect: "manual", headers: { cookie } }).then((res) => (res.status === 200 ? "opens" : `refused ${res.status}`));
const apiAnswers = (client: ReturnType<typeof clientFor>) =>
  client.thread.list.query({}).then(
    () => "accepted",
    (err: { data?: { code?: string } }) => err.data?.code,
  );

it("Sign out everywhere on one instance ends every session of the user, pages and API, on every instance; another user's stays", async () => {
  const [email, bystanderEmail] = [uniqueEmail(), uniqueEmail()];
  await Promise.all([createUser(t.db, { email, password: PASSWORD }), createUser(t.db, { email: bystanderEmail, password: PASSWORD })]);
  const [here, there, bystander] = [
    await signInOverHttp(a.url, email, PASSWORD),
    await signInOverHttp(b.url, email, PASSWORD),
    await signInOverHttp(b.url, bystanderEmail, PASSWORD),
  ];
  const sessions = [clientFor(a, here), clientFor(b, here), clientFor(a, there), clientFor(b, there)];
  // Every instance has seen every session live, and B would trust that for an hour.
  expect(await Promise.all(sessions.map(apiAnswers))).toEqual(["accepted", "accepted", "accepted", "accepted"]);
  expect(await Promise.all([pageOpens(a, here), pageOpens(b, there), pageOpens(b, bystander)])).toEqual(["opens", "opens", "opens"]);

  await clientFor(a, here).account.signOutEverywhere.mutate();
  await expect.poll(() => Promise.all(sessions.map(apiAnswers)), { timeout: 10_000 }).toEqual(["UNAUTHORIZED", "UNAUTHORIZED", "UNAUTHORIZED", "UNAUTHORIZED"]);
  await expect
    .poll(() => Promise.all([pageOpens(a, here), pageOpens(b, here), pageOpens(a, there), pageOpens(b, there)]), { timeout: 10_000 })
    .toEqual([expect.stringMatching(/^refused/), expect.stringMatching(/^refused/), expect.stringMatching(/^refused/), expect.stringMatching(/^refused/)]);
  expect([await apiAnswers(clientFor(b, bystander)), await pageOpens(b, bystander)]).toEqual(["accepted", "opens"]);
});

it("deleting the account on one instance ends its sessions on another at once", async () => {
  const email = uniqueEmail();
  await createUser(t.db, { email, password: PASSWORD });
  const [here, there] = [await signInOverHttp(a.url, email, PASSWORD), await signInOverHttp(b.url, email, PASSWORD)];
  expect(await apiAnswers(clientFor(b, there))).toBe("accepted");
  await clientFor(a, here).account.delete.mutate({ email });
  await expect
    .poll(() => Promise.all([apiAnswers(clientFor(a, here)), apiAnswers(clientFor(b, there))]), { timeout: 10_000 })
    .toEqual(["UNAUTHORIZED", "UNAUTHORIZED"]);
  expect(await pageOpens(b, there)).toMatch(/^refused/);
});
