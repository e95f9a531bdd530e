import { afterEach, describe, expect, it, vi } from "vitest";
import type { SequencedEvent } from "@/lib/run-events";
import { settingsPerTest } from "@/scripts/testing/settings";
import { databaseOutage } from "@/server/database-outage";
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

  it("while a write is in flight, the window's words wait for it and go out as one event", async () => {
    vi.useFakeTimers();
    set({ STREAM_COALESCE_MS: 150 });
    const { run, saved, release } = runWithSlowWrites();
    run.push({ type: "message-start", messageId: "m" });
    run.push({ type: "text-delta", messageId: "m", delta: "Hello" });
    for (const word of [" there", " you", " all"]) {
      run.push({ type: "text-delta", messageId: "m", delta: word });
      await vi.advanceTimersByTimeAsync(150);
    }
    expect(saved()).toEqual([]);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(saved()).toEqual(["Hello", " there you all"]);
    expect(run.written().flatMap((e) => (e.event.type === "text-delta" ? [e.event.delta] : []))).toEqual(["Hello", " there you all"]);
  });

  it("during a database outage nothing waits: viewers here get each window's words at once", async () => {
    vi.useFakeTimers();
    set({ STREAM_COALESCE_MS: 150 });
    const { run } = runWithSlowWrites();
    databaseOutage().unavailable({ code: "ECONNREFUSED" });
    try {
      run.push({ type: "message-start", messageId: "m" });
      run.push({ type: "text-delta", messageId: "m", delta: "Hello" });
      run.push({ type: "text-delta", messageId: "m", delta: " there" });
      await vi.advanceTimersByTimeAsync(150);
      run.push({ type: "text-delta", messageId: "m", delta: " you" });
      await vi.advanceTimersByTimeAsync(150);
      const published = run.written().flatMap((e) => (e.event.type === "text-delta" ? [e.event.delta] : []));
      expect(published).toEqual(["Hello", " there", " you"]);
    } finally {
      databaseOutage().reachable();
    }
  });
});

/** A run whose first write waits until `release` is called; the deltas written so far, by `saved`. */
function runWithSlowWrites() {
  const written: SequencedEvent[] = [];
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const run = new ActiveRun("run-1", "thread-1", "user-1", async (events) => {
    await gate;
    written.push(...events);
  });
  const saved = () => written.flatMap((e) => (e.event.type === "text-delta" ? [e.event.delta] : []));
  return { run, saved, release: () => release() };
}
