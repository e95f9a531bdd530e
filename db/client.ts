import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as schema from "./schema";

export type DB = NodePgDatabase<typeof schema> & { $client: pg.Pool };

/** What the server lets the pool report: db/ knows nothing of logs or metrics. */
export interface PoolHooks {
  /** Each statement's duration, in seconds. */
  onQuery?: (seconds: number) => void;
  /** An idle connection died (Postgres restarted, the network dropped). */
  onIdleError?: (err: Error) => void;
  /** A statement or connection failed because Postgres could not be reached (see isDatabaseUnavailable). */
  onUnavailable?: (err: unknown) => void;
  /** A statement succeeded: Postgres is reachable. Called for every statement, so it must be cheap. */
  onReachable?: () => void;
}

export interface PoolOptions extends PoolHooks {
  /** Connections at most; pg's default (10) when not given. */
  max?: number;
  /** How long a caller waits for a connection (a free one, or a new one) before an error. */
  connectTimeoutMs?: number;
  /** Postgres cancels a statement that runs longer (0: never). */
  statementTimeoutMs?: number;
  /** Postgres ends a session left idle inside a transaction this long (0: never), releasing its locks. */
  idleInTransactionTimeoutMs?: number;
}

export function createPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    // Sent when each connection starts, so they hold for every statement on it without a round trip.
    ...(options.statementTimeoutMs && { statement_timeout: options.statementTimeoutMs }),
    ...(options.idleInTransactionTimeoutMs && { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs }),
  });
  // An idle client losing its connection must not crash the process: the pool discards it and the
  // next query opens a fresh one. Without a listener, pg's 'error' event would throw.
  pool.on("error", (err) => options.onIdleError?.(err));
  markFailures(pool, options);
  if (options.onQuery) {
    const onQuery = options.onQuery;
    pool.on("connect", (client) => timeQueries(client, onQuery));
  }
  return pool;
}

const FROM_DATABASE = Symbol.for("threadline.database-error");

/**
 * Whether an error (or one of its causes) came from Postgres or from reaching it. A refused
 * connection reads the same whether the database or a model provider refused it, so the pool marks
 * its own failures: a run can then say the database was unavailable, and never retry a model
 * call for it.
 */
export function isDatabaseError(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as Record<symbol, unknown>)[FROM_DATABASE] || e instanceof pg.DatabaseError) return true;
  }
  return false;
}

/**
 * SQLSTATE classes that mean Postgres cannot serve at all right now, as opposed to refusing one
 * statement: connection exceptions (08), shutting down or starting up (57P01–57P03), too many
 * connections (53300).
 */
const UNAVAILABLE_STATES = /^(08|57P0[123]$|53300$)/;

/**
 * Whether an error (or one of its causes) means the database could not be reached: a refused or
 * dropped connection, a connect timeout, Postgres shutting down. Unlike a statement Postgres
 * rejected (a constraint, a timeout), such a failure is worth waiting out and trying again.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (e instanceof pg.DatabaseError) return typeof code === "string" && UNAVAILABLE_STATES.test(code);
    // Not a message from Postgres: the socket failed, or pg gave up on the connection.
    if ((e as Record<symbol, unknown>)[FROM_DATABASE]) {
      if (typeof code === "string" && SOCKET_FAILURES.has(code)) return true;
      if (LOST_CONNECTION.test(String((e as { message?: unknown }).message))) return true;
    }
  }
  return false;
}

const SOCKET_FAILURES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNABORTED"]);
/** pg's own words when a connection is lost, or cannot be had in time. */
const LOST_CONNECTION = /Connection terminated|timeout exceeded when trying to connect|connection error|not queryable|Client was closed/i;

/** The pool's failures, and its clients', carry the mark: a query, a connection, a statement in a transaction. */
function markFailures(pool: pg.Pool, hooks: PoolHooks) {
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  const mark = (err: unknown): never => {
    if (err && typeof err === "object") Object.defineProperty(err, FROM_DATABASE, { value: true });
    if (hooks.onUnavailable && isDatabaseUnavailable(err)) hooks.onUnavailable(err);
    throw err;
  };
  const reached = <T>(value: T) => {
    hooks.onReachable?.();
    return value;
  };
  const marked = (result: unknown) => (result instanceof Promise ? result.then(reached, mark) : result);
  Object.assign(pool, {
    connect: (...args: unknown[]) => marked(connect(...args)),
    query: (...args: unknown[]) => marked(query(...args)),
  });
  pool.on("connect", (client) => {
    const clientQuery = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => marked(clientQuery(...args));
  });
}

/** Every statement on this connection, promise or callback style, reported with its duration. */
function timeQueries(client: pg.PoolClient, onQuery: (seconds: number) => void) {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const started = performance.now();
    const done = () => onQuery((performance.now() - started) / 1000);
    const callback = args.at(-1);
    if (typeof callback === "function") {
      args[args.length - 1] = (...result: unknown[]) => {
        done();
        return (callback as (...a: unknown[]) => unknown)(...result);
      };
      return query(...args);
    }
    const result = query(...args);
    if (result instanceof Promise) result.then(done, done);
    return result;
  };
}

export function createDb(pool: pg.Pool): DB {
  return drizzle(pool, { schema });
}
