import type pg from "pg";
import { createDb, createPool, type DB } from "@/db/client";
import { config } from "./config";
import { databaseOutage } from "./database-outage";
import { logger } from "./observability/log";
import { metrics } from "./observability/metrics";

/**
 * A pool as the server runs it: no request waits for ever on the database (a bounded wait for a
 * connection, statement and idle-in-transaction timeouts), its statements are timed in the
 * metrics, and a lost idle connection is logged. Migrations use a plain pool: they may run long.
 * `directUrl`: `url` is a transaction pooler, and this goes around it (see sessionUrl in db/client.ts).
 */
export function createServerPool(url: string, { max = config().DATABASE_POOL_MAX, directUrl }: { max?: number; directUrl?: string } = {}): pg.Pool {
  const settings = config();
  return createPool(url, {
    max,
    directUrl,
    connectTimeoutMs: settings.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: settings.DATABASE_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: settings.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    onQuery: (seconds) => metrics().dbQuery.observe(seconds),
    onIdleError: (err) => logger().warn({ reason: err.message }, "idle database connection lost"),
    onUnavailable: (err) => databaseOutage().unavailable(err),
    onReachable: () => databaseOutage().reachable(),
  });
}

// One pool per server process, kept on globalThis so dev hot reloads reuse it instead of leaking pools.
const cache = globalThis as unknown as { __threadlineDb?: { pool: pg.Pool; db: DB } };

function shared() {
  if (!cache.__threadlineDb) {
    const { DATABASE_URL: url, DATABASE_DIRECT_URL: directUrl } = config();
    if (!url) throw new Error("DATABASE_URL is not set. Start the app with `npm run dev` or `npm start`, which provide one.");
    const pool = createServerPool(url, { directUrl });
    cache.__threadlineDb = { pool, db: createDb(pool) };
  }
  return cache.__threadlineDb;
}

/** The server's one shared pool, on DATABASE_URL; its LISTEN goes to DATABASE_DIRECT_URL when that is set. */
export const getPool = (): pg.Pool => shared().pool;
export const getDb = (): DB => shared().db;
