import { isDatabaseUnavailable } from "@/db/client";
import { config } from "./config";
import { logger } from "./observability/log";
import { metrics } from "./observability/metrics";

type Listener = (down: boolean) => void;

/**
 * This process's view of whether Postgres can be reached, fed by the pool: the first statement
 * that cannot reach it starts an outage, the next one that succeeds ends it. The outage is logged
 * once when it starts and once, with its length, when it ends, however many statements failed.
 */
class DatabaseOutage {
  /** When the current outage began (ms since epoch), or null while Postgres answers. */
  since: number | null = null;
  /** When the last outage ended; -Infinity if there has been none. */
  endedAt = -Infinity;
  private readonly listeners = new Set<Listener>();

  constructor() {
    metrics().databaseReachable.set(1);
  }

  unavailable(err: unknown) {
    if (this.since !== null) return;
    this.since = Date.now();
    const reason = (err as { code?: string; message?: string }) ?? {};
    logger().warn({ reason: reason.code ?? reason.message }, "database unreachable: holding writes until it is back");
    metrics().databaseReachable.set(0);
    for (const listener of this.listeners) listener(true);
  }

  reachable() {
    if (this.since === null) return;
    const outageMs = Date.now() - this.since;
    this.since = null;
    this.endedAt = Date.now();
    logger().warn({ outageMs }, "database reachable again");
    metrics().databaseReachable.set(1);
    metrics().databaseOutages.inc();
    for (const listener of this.listeners) listener(false);
  }

  get down(): boolean {
    return this.since !== null;
  }

  /** How long Postgres has answered without a break: Infinity if it never failed. */
  reachableForMs(): number {
    return this.since !== null ? 0 : Date.now() - this.endedAt;
  }

  /** Called with `true` when an outage starts and `false` when it ends; returns the unsubscribe. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const cache = globalThis as unknown as { __threadlineOutage?: DatabaseOutage };
/** One per process, shared by every bundle Next loads (the pool is shared the same way). */
export const databaseOutage = (): DatabaseOutage => (cache.__threadlineOutage ??= new DatabaseOutage());

const OUTAGE = Symbol.for("threadline.database-outage");

/**
 * The reason a run is aborted with when an outage outlasts DB_OUTAGE_GRACE_MS. Told by a mark, not
 * instanceof: the workers that abort and the route that runs the answer are separate Next bundles,
 * each with its own copy of this class.
 */
export class DatabaseOutageError extends Error {
  readonly [OUTAGE] = true;
  constructor() {
    super("The database was unavailable for longer than DB_OUTAGE_GRACE_MS");
    this.name = "DatabaseOutageError";
  }
  static is(reason: unknown): boolean {
    return Boolean(reason && typeof reason === "object" && (reason as Record<symbol, unknown>)[OUTAGE]);
  }
}

/** The wait before the next try: doubling from 200 ms, never more than 2 s, so an outage costs a few statements a second at most. */
export const outageBackoffMs = (attempt: number) => Math.min(200 * 2 ** Math.min(attempt, 10), 2_000);

const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });

/**
 * Runs `write`, and while Postgres cannot be reached, runs it again with capped backoff, for up to
 * DB_OUTAGE_GRACE_MS from the first failure (or until `signal` aborts); then the last failure is
 * thrown. Only for statements that are safe to repeat: each must be one idempotent statement
 * (an upsert), so a try whose reply was lost does no harm when it is made again.
 */
export async function throughOutage<T>(write: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (!isDatabaseUnavailable(err) || signal?.aborted || Date.now() - started >= config().DB_OUTAGE_GRACE_MS) throw err;
      await pause(outageBackoffMs(attempt), signal);
    }
  }
}

/** Resolves once a statement succeeds, trying with capped backoff for as long as it takes (or until `signal` aborts). */
export async function untilReachable(probe: () => Promise<unknown>, signal?: AbortSignal): Promise<void> {
  for (let attempt = 0; !signal?.aborted; attempt++) {
    try {
      await probe();
      return;
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      await pause(outageBackoffMs(attempt), signal);
    }
  }
}
