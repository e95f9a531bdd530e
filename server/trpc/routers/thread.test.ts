import { describe, it, expect } from "vitest";
import { sql } from "drizzle-orm";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { failure } from "@/scripts/testing/failure";
import { signedInCaller, testContext } from "@/scripts/testing/users";
import { createCaller } from "../root";

const t = testDatabaseForFile();

const MISSING = "00000000-0000-4000-8000-000000000000";

describe("thread router", () => {
  it("creates a thread with a server-generated id and the default title", async () => {
    const { caller } = await signedInCaller(t);
    const thread = await caller.thread.create();
    expect(thread.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(thread.title).toBe("New chat");
    expect(await caller.thread.get({ threadId: thread.id })).toEqual(thread);
  });

  it("creates a thread with a trimmed title", async () => {
    const { caller } = await signedInCaller(t);
    expect((await caller.thread.create({ title: "  Trip plans  " })).title).toBe("Trip plans");
  });

  it("renames a thread, trimming the title, without moving it in the list", async () => {
    const { caller } = await signedInCaller(t);
    const older = await caller.thread.create({ title: "older" });
    await caller.thread.create({ title: "newer" });
    const renamed = await caller.thread.rename({ threadId: older.id, title: "  Renamed  " });
    expect(renamed.title).toBe("Renamed");
    expect((await caller.thread.get({ threadId: older.id })).title).toBe("Renamed");
    const { items } = await caller.thread.list({});
    expect(items.map((i) => i.title)).toEqual(["newer", "Renamed"]);
  });

  it("rejects titles that are empty after trimming or longer than 200 characters", async () => {
    const { caller } = await signedInCaller(t);
    const thread = await caller.thread.create();
    const empty = await failure(caller.thread.rename({ threadId: thread.id, title: "   " }));
    expect(empty.code).toBe("BAD_REQUEST");
    expect(empty.message).toBe("title: Title cannot be empty");
    const long = await failure(caller.thread.rename({ threadId: thread.id, title: "x".repeat(201) }));
    expect(long.message).toBe("title: Title must be at most 200 characters");
    expect((await caller.thread.rename({ threadId: thread.id, title: "x".repeat(200) })).title).toHaveLength(200);
    expect((await failure(caller.thread.create({ title: "y".repeat(201) }))).code).toBe("BAD_REQUEST");
  });

  it("deletes a thread, after which it is not found", async () => {
    const { caller } = await signedInCaller(t);
    const thread = await caller.thread.create();
    expect(await caller.thread.delete({ threadId: thread.id })).toEqual({ id: thread.id });
    expect((await failure(caller.thread.get({ threadId: thread.id }))).code).toBe("NOT_FOUND");
    expect((await failure(caller.thread.delete({ threadId: thread.id }))).code).toBe("NOT_FOUND");
    expect((await caller.thread.list({})).items).toEqual([]);
  });

  it("lists newest activity first and pages through every thread exactly once", async () => {
    const { caller, user } = await signedInCaller(t);
    const created = [];
    for (let i = 0; i < 7; i++) created.push(await caller.thread.create({ title: `t${i}` }));
    // Two threads with the same activity time: the id breaks the tie, so paging neither skips nor repeats.
    await t.db.execute(sql`UPDATE threads SET updated_at = '2030-01-01T00:00:00Z' WHERE id IN (${created[2]!.id}, ${created[4]!.id})`);
    await t.db.execute(sql`UPDATE threads SET updated_at = '2031-01-01T00:00:00Z' WHERE id = ${created[0]!.id}`);

    const seen: string[] = [];
    let cursor = null;
    do {
      const page: Awaited<ReturnType<typeof caller.thread.list>> = await caller.thread.list({ limit: 3, cursor });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);

    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    const rows = await t.db.execute<{ id: string }>(sql`SELECT id FROM threads WHERE user_id = ${user.id} ORDER BY updated_at DESC, id DESC`);
    expect(seen).toEqual(rows.rows.map((r) => r.id));
    expect(seen[0]).toBe(created[0]!.id);
  });

  it("caps the page size at 50", async () => {
    const { caller } = await signedInCaller(t);
    expect((await failure(caller.thread.list({ limit: 51 }))).code).toBe("BAD_REQUEST");
    expect((await failure(caller.thread.list({ limit: 0 }))).code).toBe("BAD_REQUEST");
    await expect(caller.thread.list({ limit: 50 })).resolves.toMatchObject({ items: [] });
  });

  it("rejects ids that are not UUIDs with a clear message", async () => {
    const { caller } = await signedInCaller(t);
    const err = await failure(caller.thread.get({ threadId: "../../etc/passwd" }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toBe("threadId: Not a valid conversation id");
  });

  it("treats another user's thread exactly like a missing one, for every procedure", async () => {
    const owner = await signedInCaller(t);
    const other = await signedInCaller(t);
    const theirs = await owner.caller.thread.create({ title: "private" });

    const attempts = {
      get: (id: string) => other.caller.thread.get({ threadId: id }),
      rename: (id: string) => other.caller.thread.rename({ threadId: id, title: "hijacked" }),
      delete: (id: string) => other.caller.thread.delete({ threadId: id }),
    };
    for (const [name, attempt] of Object.entries(attempts)) {
      const forOthers = await failure(attempt(theirs.id));
      const forMissing = await failure(attempt(MISSING));
      expect({ name, code: forOthers.code, message: forOthers.message }).toEqual({ name, code: "NOT_FOUND", message: "Conversation not found" });
      expect({ code: forMissing.code, message: forMissing.message }).toEqual({ code: forOthers.code, message: forOthers.message });
    }
    expect((await other.caller.thread.list({})).items).toEqual([]);
    expect(await owner.caller.thread.get({ threadId: theirs.id })).toMatchObject({ title: "private" });
  });

  it("requires a signed-in user for every procedure", async () => {
    const anonymous = createCaller(testContext(t, null));
    const calls = [
      anonymous.thread.list({}),
      anonymous.thread.get({ threadId: MISSING }),
      anonymous.thread.create(),
      anonymous.thread.rename({ threadId: MISSING, title: "x" }),
      anonymous.thread.delete({ threadId: MISSING }),
    ];
    for (const call of calls) expect((await failure(call)).code).toBe("UNAUTHORIZED");
  });

  it("removes a user's threads when the user is deleted", async () => {
    const { caller, user } = await signedInCaller(t);
    await caller.thread.create();
    await t.db.execute(sql`DELETE FROM "user" WHERE id = ${user.id}`);
    const left = await t.db.execute(sql`SELECT count(*)::int AS n FROM threads WHERE user_id = ${user.id}`);
    expect(left.rows[0]).toEqual({ n: 0 });
  });
});
