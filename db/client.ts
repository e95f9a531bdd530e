import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import { logger } from "../server/observability/log";
import { metrics } from "../server/observability/metrics";
import * as schema from "./schema";

export type DB = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export function createPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: Number(process.env.DATABASE_POOL_MAX ?? 10),
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (Postgres restart, network) must not crash the process;
  // the pool discards it and the next query opens a fresh one.
  pool.on("error", (err) => logger().warn({ reason: err.message }, "idle database connection lost"));
  pool.on("connect", timeQueries);
  return pool;
}

/** Every statement on this connection into the db_query_seconds histogram, promise or callback style. */
function timeQueries(client: pg.PoolClient) {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const started = performance.now();
    const done = () => metrics().dbQuery.observe((performance.now() - started) / 1000);
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

// One pool per server process, kept on globalThis so dev hot reloads reuse it instead of leaking pools.
const cache = globalThis as unknown as { __threadlineDb?: { pool: pg.Pool; db: DB } };

function shared() {
  if (!cache.__threadlineDb) {
    const url = process.env.DATABASE_URL;
    if (!url) {
      throw new Error("DATABASE_URL is not set. Start the app with `npm run dev` or `npm start`, which provide one.");
    }
    const pool = createPool(url);
    cache.__threadlineDb = { pool, db: createDb(pool) };
  }
  return cache.__threadlineDb;
}

export const getPool = (): pg.Pool => shared().pool;
export const getDb = (): DB => shared().db;
