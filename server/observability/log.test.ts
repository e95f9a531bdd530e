import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { failure } from "@/scripts/testing/failure";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { subscribeEvents } from "@/scripts/testing/events";
import { sessionFor, signedInCaller, testContext } from "@/scripts/testing/users";
import { createCaller } from "@/server/trpc/root";
import { DrizzleQueryError } from "drizzle-orm/errors";
import { errorFields } from "./error-fields";
import { captureLogs } from "./log";

const t = testDatabaseForFile();

describe("structured logs", () => {
  it("put the request, user and run ids on every line of a run, and never the message text", async () => {
    const { user } = await signedInCaller(t);
    const caller = createCaller({ ...testContext(t, sessionFor(user.id)), requestId: "req-from-the-proxy" });
    const capture = captureLogs();
    try {
      const secret = "my secret question about 6*7";
      const { runId, threadId } = await caller.chat.send({ text: secret });
      await subscribeEvents(caller, runId);
      await caller.thread.get({ threadId: crypto.randomUUID() }).catch(() => undefined);

      const ofRun = capture.lines.filter((l) => l.runId === runId);
      expect(ofRun.map((l) => l.msg)).toEqual(["run started", "run ended"]);
      for (const line of ofRun) expect(line).toMatchObject({ runId, threadId, userId: user.id, requestId: "req-from-the-proxy", service: "threadline" });
      expect(ofRun[1]).toMatchObject({ outcome: "succeeded", ms: expect.any(Number) });
      expect(capture.lines.find((l) => l.msg === "procedure refused")).toMatchObject({
        path: "thread.get",
        code: "NOT_FOUND",
        requestId: "req-from-the-proxy",
        userId: user.id,
      });
      expect(JSON.stringify(capture.lines)).not.toContain("secret question");
    } finally {
      capture.stop();
    }
  });

  it("name a failed query's error by class, code and constraint, and never carry its parameters", async () => {
    const { user } = await signedInCaller(t);
    const caller = createCaller(testContext(t, sessionFor(user.id)));
    // Postgres itself refuses rows that hold a marker: real failed writes whose parameters are the user's words.
    const [inRun, inTitle] = [`marker-${randomUUID()}`, `marker-${randomUUID()}`];
    await t.pool.query(`ALTER TABLE runs ADD CONSTRAINT runs_no_marker CHECK (input->>'text' NOT LIKE '%${inRun}%')`);
    await t.pool.query(`ALTER TABLE threads ADD CONSTRAINT threads_no_marker CHECK (title NOT LIKE '%${inTitle}%')`);
    const capture = captureLogs();
    try {
      expect((await failure(caller.chat.send({ text: `my private ${inRun} question` }))).code).toBe("INTERNAL_SERVER_ERROR");
      // Here the answer is written; only the title made from the message cannot be saved.
      const sent = await caller.chat.send({ text: `hello ${inTitle}` });
      await subscribeEvents(caller, sent.runId);

      const failed = { type: "DrizzleQueryError", cause: { type: "DatabaseError", code: "23514" } };
      expect(capture.lines.find((l) => l.msg === "procedure failed")).toMatchObject({
        path: "chat.send",
        err: { ...failed, cause: { ...failed.cause, constraint: "runs_no_marker", table: "runs" } },
      });
      expect(capture.lines.find((l) => l.msg === "could not save the title")).toMatchObject({
        err: { ...failed, cause: { ...failed.cause, constraint: "threads_no_marker", table: "threads" } },
      });
      for (const marker of [inRun, inTitle]) expect(JSON.stringify(capture.lines)).not.toContain(marker);
      expect(JSON.stringify(capture.lines)).not.toMatch(/Failed query|params/);
    } finally {
      capture.stop();
      await t.pool.query("ALTER TABLE runs DROP CONSTRAINT runs_no_marker");
      await t.pool.query("ALTER TABLE threads DROP CONSTRAINT threads_no_marker");
    }
  });
});

describe("an error's class in a log line", () => {
  it("survives the production build's minified class names", () => {
    // As bundled: the same classes, under one-letter names.
    const e = class extends DrizzleQueryError {};
    const t = class extends Error {
      name = "TRPCError";
    };
    expect(errorFields(new e("insert …", ["secret"], new Error("x"))).type).toBe("DrizzleQueryError");
    expect(errorFields(new t("refused")).type).toBe("TRPCError");
    expect(errorFields(new TypeError("x")).type).toBe("TypeError");
  });
});
