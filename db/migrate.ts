import path from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import type pg from "pg";

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

// Any constant works; it only has to be the same for every instance of the app.
const MIGRATION_LOCK = 724_011_001;

/**
 * Applies the app's pending migrations (drizzle-kit's), then `alsoUnderLock` (the server's other
 * schema owners, such as LangGraph's checkpointer). Safe to call from several instances starting at
 * once: a session advisory lock serialises them, and the later ones find nothing to apply. So the
 * pool must reach Postgres directly, never through a transaction pooler: there the lock would be
 * taken on one server connection, left on it for whoever gets it next, and released on another.
 */
export async function applyMigrations(pool: pg.Pool, alsoUnderLock: (pool: pg.Pool) => Promise<void> = async () => {}): Promise<{ applied: number }> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    const before = await countApplied(client);
    await migrate(drizzle(client), { migrationsFolder });
    await alsoUnderLock(pool);
    return { applied: (await countApplied(client)) - before };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

async function countApplied(client: pg.PoolClient): Promise<number> {
  const table = await client.query("SELECT to_regclass('drizzle.__drizzle_migrations') AS t");
  if (!table.rows[0]?.t) return 0;
  const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations");
  return rows[0]?.n ?? 0;
}
