import { describe, expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { subscribeEvents } from "@/scripts/testing/events";
import { sessionFor, signedInCaller, testContext } from "@/scripts/testing/users";
import { createCaller } from "@/server/trpc/root";
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
});
