import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
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
  pool.on("error", (err) => console.error(`[db] idle connection error: ${err.message}`));
  return pool;
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
