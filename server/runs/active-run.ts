import type { RunEvent, RunOutcome, SequencedEvent } from "./events";

/**
 * One run's event log, held in memory by the instance executing it. Subscribers replay from any
 * point and then follow live; the log ends with `run-end`.
 */
export class ActiveRun {
  readonly controller = new AbortController();
  private readonly log: RunEvent[] = [];
  private readonly waiters = new Set<() => void>();
  outcome: RunOutcome | null = null;

  constructor(
    readonly id: string,
    readonly threadId: string,
    readonly userId: string,
  ) {}

  get finished() {
    return this.outcome !== null;
  }

  push(event: RunEvent) {
    if (this.finished) return;
    this.log.push(event);
    if (event.type === "run-end") this.outcome = event.status;
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /** Events after `afterSeq` (1-based), then live ones, until the run ends or `signal` aborts. */
  async *subscribe(afterSeq: number, signal?: AbortSignal): AsyncGenerator<SequencedEvent> {
    let next = afterSeq;
    while (!signal?.aborted) {
      while (next < this.log.length) {
        const event = this.log[next]!;
        next++;
        yield { seq: next, event };
        if (event.type === "run-end") return;
      }
      if (this.finished) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal?.removeEventListener("abort", wake);
          resolve();
        };
        this.waiters.add(wake);
        signal?.addEventListener("abort", wake, { once: true });
      });
    }
  }
}
