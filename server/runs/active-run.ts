import type { RunStatus } from "@/db/schema";
import type { Logger } from "pino";
import { logger as rootLogger } from "@/server/observability/log";
import { metrics } from "@/server/observability/metrics";
import { databaseOutage } from "@/server/database-outage";
import type { RunEvent, SequencedEvent } from "@/lib/run-events";
import { config } from "@/server/config";

export type Persist = (events: SequencedEvent[], final: { status: RunStatus; error: string | null } | null) => Promise<void>;

/**
 * The event log of a run executing on this instance. Events are numbered, written to Postgres, and
 * only then published to this instance's subscribers. So every event anyone has seen is in the
 * table, and an instance that takes over after a crash continues the numbering without clashing.
 * The one exception is a database outage: then this instance's viewers see events at once, and
 * they are written, in order, when Postgres is back.
 */
export class ActiveRun {
  readonly controller = new AbortController();
  private readonly log: SequencedEvent[];
  private readonly waiters = new Set<() => void>();
  private staged: SequencedEvent[] = [];
  /** Numbered, not yet written to Postgres. */
  private unsaved: SequencedEvent[] = [];
  /** Numbered, not yet handed to subscribers: normally those being written, all of them during an outage. */
  private unpublished: SequencedEvent[] = [];
  private delta: { messageId: string; delta: string } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  /** Writes queued or in flight. While one is, the window's delta waits for it instead of queueing a row of its own. */
  private pendingWrites = 0;
  private deltaDue = false;
  private lastSeq: number;
  private closed = false;
  private lastPushed: RunEvent["type"] | null = null;
  private handoff: { requested: boolean; done: () => void } = { requested: false, done: () => {} };
  /** Resolves when the run has stopped at a step boundary for another instance to continue. */
  readonly handedOff = new Promise<void>((resolve) => (this.handoff.done = resolve));
  outcome: RunStatus | null = null;
  /** Every line about this run carries its ids, and the id of the request that started it. */
  readonly logger: Logger;
  private readonly started = performance.now();
  /** Tokens arriving within this window go out as one delta (STREAM_COALESCE_MS): fewer rows, statements and wake-ups, the same text. */
  private readonly coalesceMs = config().STREAM_COALESCE_MS;

  constructor(
    readonly id: string,
    readonly threadId: string,
    readonly userId: string,
    private readonly persist: Persist,
    /** Events an earlier owner already wrote, when this instance takes the run over. */
    history: SequencedEvent[] = [],
    requestId?: string,
  ) {
    this.logger = rootLogger().child({ runId: id, threadId, userId, ...(requestId && { requestId }) });
    this.log = [...history];
    this.lastSeq = history.at(-1)?.seq ?? 0;
    metrics().runsStarted.inc();
  }

  /** Shutdown asks the run to stop after its current step, without ending it. */
  requestHandoff() {
    this.handoff.requested = true;
  }
  get handoffRequested() {
    return this.handoff.requested;
  }
  markHandedOff() {
    this.handoff.done();
  }

  /** Every event written and published so far. */
  written(): SequencedEvent[] {
    return [...this.log];
  }

  get lastEvent(): RunEvent | undefined {
    return this.log.at(-1)?.event;
  }

  push(pushed: RunEvent) {
    if (this.closed) return;
    // Per token only the delta is checked, and nothing is copied unless it must be cleaned.
    const event =
      pushed.type === "text-delta"
        ? storableText(pushed.delta) === pushed.delta
          ? pushed
          : { ...pushed, delta: storableText(pushed.delta) }
        : storable(pushed);
    if (event.type !== "text-delta") this.lastPushed = event.type;
    if (event.type === "text-delta") {
      if (this.delta && this.delta.messageId !== event.messageId) this.stageDelta();
      this.delta = this.delta ? { ...this.delta, delta: this.delta.delta + event.delta } : { messageId: event.messageId, delta: event.delta };
      // A message's first words go out at once (time to first token is what people feel); later
      // ones wait up to coalesceMs for company.
      if (this.lastPushed === "message-start") {
        this.lastPushed = event.type;
        return this.flush();
      }
      this.lastPushed = event.type;
      this.timer ??= setTimeout(() => this.windowEnded(), this.coalesceMs);
      return;
    }
    this.stageDelta();
    this.staged.push({ seq: ++this.lastSeq, event });
    if (event.type === "run-end") this.closed = true;
    this.flush();
  }

  /** Resolves once everything pushed so far is written and published. */
  settled(): Promise<void> {
    return this.writing;
  }

  private stageDelta() {
    if (!this.delta) return;
    this.staged.push({ seq: ++this.lastSeq, event: { type: "text-delta", ...this.delta } });
    this.delta = null;
  }

  /**
   * The window is over, but when the previous write has not returned the delta goes with the next
   * one: under load that is one event per database round trip instead of one per window, and at
   * low load (writes of a millisecond) nothing changes. During an outage writes wait for Postgres,
   * so nothing is held back then: the window is checked again, and viewers here keep reading. A
   * window of 0 asks for no coalescing at all.
   */
  private windowEnded() {
    this.timer = null;
    if (this.pendingWrites === 0 || this.coalesceMs === 0 || databaseOutage().down) return this.flush();
    this.deltaDue = true;
    this.timer = setTimeout(() => this.windowEnded(), this.coalesceMs);
  }

  private flush() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.deltaDue = false;
    this.stageDelta();
    const batch = this.staged;
    this.staged = [];
    if (batch.length === 0) return;
    this.unsaved.push(...batch);
    this.unpublished.push(...batch);
    // Postgres is away: viewers here keep reading the answer from memory while its events wait to be saved.
    if (databaseOutage().down) this.publishThrough(batch.at(-1)!.seq);
    // One write at a time, in order; a write takes every event not yet saved, so after an outage the tail goes in one statement.
    this.pendingWrites++;
    this.writing = this.writing.then(() => this.save());
  }

  private async save() {
    // A write takes every event not yet saved, so after an outage a queued one may find none left.
    if (this.unsaved.length > 0) await this.write();
    // Chained before this write's promise settles, so settled() covers the delta that waited for it.
    if (--this.pendingWrites === 0 && this.deltaDue) this.flush();
  }

  private async write() {
    const batch = this.unsaved;
    this.unsaved = [];
    const end = batch.find((e) => e.event.type === "run-end")?.event as Extract<RunEvent, { type: "run-end" }> | undefined;
    const final = end ? { status: end.status, error: end.error } : null;
    try {
      // While Postgres cannot be reached, the writer retries on its own: this waits for it to come back.
      await this.persist(batch, final);
    } catch (err) {
      // Local watchers still get the answer; others will see the run as stale and recover it.
      this.logger.error({ err, from: batch[0]!.seq, to: batch.at(-1)!.seq }, "could not record run events");
      // The ending, at least, must be recorded: a run left running holds its thread until a takeover.
      if (end && batch.length > 1) await this.persist([batch.at(-1)!], final).catch((err) => this.logger.error({ err }, "could not record the run's end"));
    }
    this.publishThrough(batch.at(-1)!.seq);
    if (end) {
      this.outcome = end.status;
      metrics().runsEnded.inc({ outcome: end.status });
      this.logger.info({ outcome: end.status, ms: Math.round(performance.now() - this.started) }, "run ended");
    }
  }

  /** Hands events up to `seq` to this instance's subscribers, in order, each once. */
  private publishThrough(seq: number) {
    let count = 0;
    while (count < this.unpublished.length && this.unpublished[count]!.seq <= seq) count++;
    if (count === 0) return;
    this.log.push(...this.unpublished.splice(0, count));
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /** Events after `afterSeq`, then live ones, until the run ends or `signal` aborts. */
  async *subscribe(afterSeq: number, signal?: AbortSignal): AsyncGenerator<SequencedEvent> {
    let next = this.log.findIndex((e) => e.seq > afterSeq);
    if (next < 0) next = this.log.length;
    while (!signal?.aborted) {
      while (next < this.log.length) {
        const item = this.log[next++]!;
        yield item;
        if (item.event.type === "run-end") return;
      }
      if (this.outcome) return;
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

/**
 * What Postgres can hold in jsonb: no NUL, no lone surrogate. A model may write either; the event is
 * cleaned before anyone sees it, so viewers here and elsewhere read the same. Tokens are checked
 * cheaply and copied only when they need it.
 */
const storableText = (text: string) => (text.includes("\u0000") || !text.isWellFormed() ? text.replaceAll("\u0000", "").toWellFormed() : text);

function storable<T>(value: T): T {
  if (typeof value === "string") return storableText(value) as T;
  if (Array.isArray(value)) return value.map(storable) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, storable(v)])) as T;
  return value;
}
