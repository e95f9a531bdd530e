import type pg from "pg";
import journal from "@/db/migrations/meta/_journal.json";
import { CHECKPOINT_SCHEMA } from "@/server/agent/checkpointer";
import { isDraining } from "@/server/runs/drain";

export interface Readiness {
  ready: boolean;
  checks: { database: boolean; migrations: boolean; accepting: boolean };
}

/**
 * Can this instance serve? Postgres answers within a second, every migration (the app's and the
 * checkpointer's) is applied, and the instance is not shutting down. Cheap: two tiny queries.
 */
export async function readiness(pool: pg.Pool): Promise<Readiness> {
  const checks = { database: false, migrations: false, accepting: !isDraining() };
  const client = await pool.connect().catch(() => null);
  if (client) {
    try {
      // SET LOCAL, in a transaction of its own: a session SET would outlive this check on the
      // connection, and behind a transaction pooler land on a server connection someone else uses next.
      await client.query("BEGIN READ ONLY");
      await client.query("SET LOCAL statement_timeout = 1000");
      const { rows } = await client.query<{ applied: number | null; saver: string | null }>(
        `SELECT (SELECT count(*)::int FROM drizzle.__drizzle_migrations WHERE to_regclass('drizzle.__drizzle_migrations') IS NOT NULL) AS applied,
                to_regclass($1) AS saver`,
        [`${CHECKPOINT_SCHEMA}.message_nodes`],
      );
      checks.database = true;
      checks.migrations = (rows[0]?.applied ?? 0) >= journal.entries.length && Boolean(rows[0]?.saver);
    } catch (err) {
      // A missing migrations table reads as "not migrated", not as a broken database.
      checks.database = (err as { code?: string }).code === "42P01";
    } finally {
      // Nothing to commit; a broken connection is not given back to the pool.
      const ended = await client.query("ROLLBACK").then(
        () => true,
        () => false,
      );
      client.release(!ended);
    }
  }
  return { ready: checks.database && checks.migrations && checks.accepting, checks };
}
