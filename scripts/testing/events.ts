import { expect } from "vitest";
import type { RunEvent, SequencedEvent } from "../../lib/run-events";
import type { createCaller } from "../../server/trpc/root";

/**
 * A run's events read through the real `chat.events` procedure, with their wire ids, until it ends.
 * By default from the very first event; `null` joins as a page does, starting from a snapshot.
 */
export async function subscribeEvents(caller: ReturnType<typeof createCaller>, runId: string, lastEventId: string | null = `${runId}:0`) {
  const events: { id: string; event: RunEvent }[] = [];
  for await (const item of await caller.chat.events({ runId, lastEventId })) {
    const [id, event] = item as unknown as [string, RunEvent];
    events.push({ id, event });
  }
  return events;
}

/** Waits for a run a call started to succeed, through its events; returns its thread. */
export async function succeeded(caller: ReturnType<typeof createCaller>, started: Promise<{ threadId: string; runId: string }>): Promise<string> {
  const { threadId, runId } = await started;
  expect((await subscribeEvents(caller, runId)).at(-1)!.event).toMatchObject({ type: "run-end", status: "succeeded" });
  return threadId;
}

/** Every event a source yields, until it ends (followRun ends at the run's end). */
export async function collect(source: AsyncIterable<SequencedEvent>): Promise<SequencedEvent[]> {
  const out: SequencedEvent[] = [];
  for await (const item of source) out.push(item);
  return out;
}
