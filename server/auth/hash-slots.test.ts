import { describe, expect, it } from "vitest";
import { settingsPerTest } from "@/scripts/testing/settings";
import { Unavailable } from "@/server/errors";
import { SERVER_BUSY, withHashSlot } from "./hash-slots";

const set = settingsPerTest();

/** A stand-in for a hash that ends when the test says so, and reports how many ran with it. */
function hashes() {
  let running = 0;
  let peak = 0;
  const finish: (() => void)[] = [];
  const start = () =>
    withHashSlot(async () => {
      peak = Math.max(peak, ++running);
      await new Promise<void>((resolve) => finish.push(resolve));
      running--;
    });
  return { start, finish, peak: () => peak, running: () => running };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("password hash slots", () => {
  it("run at most PASSWORD_HASH_CONCURRENCY at once, let PASSWORD_HASH_QUEUE wait, and refuse the rest at once", async () => {
    set({ PASSWORD_HASH_CONCURRENCY: 2, PASSWORD_HASH_QUEUE: 1 });
    const h = hashes();
    const calls = Array.from({ length: 5 }, () =>
      h.start().then(
        () => "done",
        (err: unknown) => err,
      ),
    );
    await settle();
    expect(h.running()).toBe(2);
    // Two run, one waits, two are refused before the first hash ends.
    const refused = await Promise.race([Promise.all([calls[3], calls[4]]), settle().then(() => "still waiting")]);
    expect(refused).toEqual([expect.any(Unavailable), expect.any(Unavailable)]);
    expect((refused as Error[])[0]!.message).toBe(SERVER_BUSY);
    // The one in line gets the first slot that frees, and never a third at once.
    while (h.finish.length) {
      h.finish.shift()!();
      await settle();
    }
    expect(await Promise.all(calls.slice(0, 3))).toEqual(["done", "done", "done"]);
    expect(h.peak()).toBe(2);
    // All slots free again.
    const again = hashes();
    const next = [again.start(), again.start()];
    await settle();
    expect(again.running()).toBe(2);
    again.finish.splice(0).forEach((f) => f());
    await Promise.all(next);
  });

  it("frees the slot of a hash that throws", async () => {
    set({ PASSWORD_HASH_CONCURRENCY: 1, PASSWORD_HASH_QUEUE: 0 });
    await expect(withHashSlot(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(withHashSlot(async () => "ok")).resolves.toBe("ok");
  });
});
