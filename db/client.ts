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
  /**
   * Set when `connectionString` is a transaction pooler (PgBouncer): a direct URL to the same
   * database, for what needs a session of its own (LISTEN, migrations' advisory lock). See `sessionUrl`.
   */
  directUrl?: string;
}

// On the pool itself, under a global symbol: Next may bundle this module more than once, and each
// copy must see what the one that made the pool recorded.
const DIRECT_URL = Symbol.for("threadline.direct-url");
const directUrlOf = (pool: pg.Pool): string | undefined => (pool as unknown as Record<symbol, string | undefined>)[DIRECT_URL];

/**
 * Where a pool's session-bound work goes: its direct URL when it is behind a transaction pooler,
 * else its own. Through a pooler, consecutive transactions of one client run on different server
 * connections, so a session's state (LISTEN, a session advisory lock, a SET, a named prepared
 * statement) would be left on a connection that then serves someone else.
 */
export function sessionUrl(pool: pg.Pool): string {
  const url = directUrlOf(pool) ?? pool.options.connectionString;
  if (!url) throw new Error("The pool has no connection string to open a session on");
  return url;
}

/** Whether the pool is behind a transaction pooler (it was given a direct URL): no session state may go through it. */
export const behindPooler = (pool: pg.Pool): boolean => directUrlOf(pool) !== undefined;

export function createPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    // Sent when each connection starts, so they hold for every statement on it without a round trip.
    // A pooler cannot apply them per client (PgBouncer refuses them): there the pooler's server
    // connections carry the limits (deploy/pgbouncer/pgbouncer.ini), and server/pooler.ts checks them.
    ...(!options.directUrl && options.statementTimeoutMs && { statement_timeout: options.statementTimeoutMs }),
    ...(!options.directUrl && options.idleInTransactionTimeoutMs && { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs }),
  });
  if (options.directUrl) Object.defineProperty(pool, DIRECT_URL, { value: options.directUrl });
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
