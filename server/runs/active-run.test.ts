import { afterEach, describe, expect, it, vi } from "vitest";
import type { SequencedEvent } from "@/lib/run-events";
import { settingsPerTest } from "@/scripts/testing/settings";
import { ActiveRun } from "./active-run";

const set = settingsPerTest();
afterEach(() => void vi.useRealTimers());

/** A run whose events are "saved" in memory, with the deltas it has published so far. */
function runSavingInMemory() {
  const saved: SequencedEvent[] = [];
  const run = new ActiveRun("run-1", "thread-1", "user-1", async (events) => void saved.push(...events));
  const deltas = () => saved.flatMap((e) => (e.event.type === "text-delta" ? [e.event.delta] : []));
  return { run, deltas };
}

describe("coalescing an answer's words (STREAM_COALESCE_MS)", () => {
  it("sends the first words at once, then gathers the rest over the window", async () => {
    vi.useFakeTimers();
    set({ STREAM_COALESCE_MS: 150 });
    const { run, deltas } = runSavingInMemory();
    run.push({ type: "message-start", messageId: "m" });
    for (const word of ["Hello", " there", " you", " all"]) run.push({ type: "text-delta", messageId: "m", delta: word });
    await run.settled();
    expect(deltas()).toEqual(["Hello"]);
    await vi.advanceTimersByTimeAsync(149);
    expect(deltas()).toEqual(["Hello"]);
    await vi.advanceTimersByTimeAsync(1);
    await run.settled();
    expect(deltas()).toEqual(["Hello", " there you all"]);
  });

  it("with a window of 0, each piece goes out on its own", async () => {
    vi.useFakeTimers();
    set({ STREAM_COALESCE_MS: 0 });
    const { run, deltas } = runSavingInMemory();
    run.push({ type: "message-start", messageId: "m" });
    run.push({ type: "text-delta", messageId: "m", delta: "One" });
    run.push({ type: "text-delta", messageId: "m", delta: " two" });
    await vi.advanceTimersByTimeAsync(0);
    run.push({ type: "text-delta", messageId: "m", delta: " three" });
    await vi.advanceTimersByTimeAsync(0);
    await run.settled();
    expect(deltas()).toEqual(["One", " two", " three"]);
  });
});
