import { sql } from "drizzle-orm";
import pg from "pg";
import { expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { uniqueEmail } from "@/scripts/testing/users";
import { listenUrl } from "@/server/runs/follow";
import { CHANNELS, notificationHub } from "@/server/runs/notify";
import { sessionIsLive, startSession } from "./sessions";
import { createUser } from "./users";

const t = testDatabaseForFile();

it("does not remember a session as live when an ending was heard while Postgres was being asked", async () => {
  const created = await createUser(t.db, { email: uniqueEmail(), password: "correct-horse-42" });
  if (!created.ok) throw new Error("no user");
  const session = await startSession(t.db, created.user.id);
  const claims = { sub: created.user.id, ...session };
  const hub = notificationHub(listenUrl(t.db));
  const heard = new Promise<void>((resolve) => hub.on(CHANNELS.sessions, (sid) => sid === session.sid && resolve()));
  await expect.poll(() => hub.connected).toBe(true);

  // The lookup is held at a lock while the ending's announcement arrives, then reads the row still on.
  const locker = new pg.Client({ connectionString: t.url });
  await locker.connect();
  await locker.query("BEGIN; LOCK TABLE user_sessions IN ACCESS EXCLUSIVE MODE");
  const looking = sessionIsLive(t.db, claims);
  await expect
    .poll(
      async () =>
        (await t.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%user_sessions%'`)).rows[0].n,
    )
    .toBe(1);
  await t.pool.query("SELECT pg_notify($1, $2)", [CHANNELS.sessions, session.sid]);
  await heard;
  await locker.query("ROLLBACK");
  await locker.end();
  expect(await looking).toBe(true);

  // Ended now, without an announcement: only a fresh look at Postgres can tell.
  await t.db.execute(sql`UPDATE user_sessions SET ended_at = now() WHERE id = ${session.sid}`);
  expect(await sessionIsLive(t.db, claims)).toBe(false);
});
