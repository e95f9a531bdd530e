import { createHook } from "node:async_hooks";
import { describe, expect, it } from "vitest";
import { createDb } from "@/db/client";
import { createServerPool } from "@/server/db";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { collect, subscribeEvents, succeeded } from "@/scripts/testing/events";
import { signedInCaller } from "@/scripts/testing/users";
import { followRun, listenUrl } from "./follow";
import { notificationHub } from "./notify";
import { localRunIds } from "./registry";

const t = testDatabaseForFile();

/**
 * Timers our own code (server/, lib/) sets, still pending, each with the line that set it. The
 * frame that made a timer is the first one below Node's own and this hook's.
 */
function ourPendingTimers() {
  const pending = new Map<number, string>();
  const hook = createHook({
    init(id, type) {
      if (type !== "Timeout") return;
      const maker = (new Error().stack ?? "")
        .split("\n")
        .slice(1)
        .find((l) => !l.includes("node:") && !l.includes("leaks.test.ts"));
      if (maker && /\/(server|lib)\//.test(maker) && !maker.includes("node_modules")) pending.set(id, maker.trim());
    },
    destroy(id) {
      pending.delete(id);
    },
  }).enable();
  return { pending: () => [...pending.values()], stop: () => hook.disable() };
}

describe("what a finished run leaves behind", () => {
  it("nothing: no timer of ours, no LISTEN listener, no run held, after 10 runs watched here and followed as another instance does", async () => {
    const { caller } = await signedInCaller(t);
    // Another instance's handle: it follows runs from the table, through LISTEN.
    const otherPool = createServerPool(t.url);
    const other = createDb(otherPool);
    try {
      const threadId = await succeeded(caller, caller.chat.send({ text: "what is 1+1?" }));
      const hub = notificationHub(listenUrl(other));
      const listenersBefore = hub.listenerCount();
      const timers = ourPendingTimers();
      try {
        for (let i = 2; i < 12; i++) {
          const { runId } = await caller.chat.send({ threadId, text: `what is ${i}+1?` });
          const [, followed] = await Promise.all([subscribeEvents(caller, runId), collect(followRun(other, runId, 0))]);
          expect(followed.at(-1)!.event).toMatchObject({ type: "run-end", status: "succeeded" });
        }
        // Every timer a run set has fired or been cleared (the coalescing window, a follower's poll).
        await expect.poll(timers.pending, { timeout: 5_000 }).toEqual([]);
      } finally {
        timers.stop();
      }
      expect(hub.listenerCount()).toBe(listenersBefore);
      expect(localRunIds()).toEqual([]);
    } finally {
      await notificationHub(listenUrl(other)).close();
      await otherPool.end();
    }
  });
});
