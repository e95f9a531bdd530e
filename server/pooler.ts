import type pg from "pg";

/** The server's limits, as PostgreSQL names them, and the settings they stand for. */
const LIMITS = [
  { name: "statement_timeout", setting: "DATABASE_STATEMENT_TIMEOUT_MS" },
  { name: "idle_in_transaction_session_timeout", setting: "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS" },
] as const;

export type LimitSettings = Record<(typeof LIMITS)[number]["setting"], number>;

/**
 * Behind a transaction pooler the pool cannot set its limits per session (db/client.ts sends none
 * there): the pooler's connections to PostgreSQL must carry them (connect_query in
 * deploy/pgbouncer/pgbouncer.ini). What a statement through the pool finds, when it differs from
 * the settings, one line each: without a limit, a statement or a transaction left open could hold
 * a request, and the locks it took, for ever.
 */
export async function poolerLimitMismatches(pool: pg.Pool, settings: LimitSettings): Promise<string[]> {
  const { rows } = await pool.query<{ name: string; ms: string }>("SELECT name, setting AS ms FROM pg_settings WHERE name = ANY($1)", [
    LIMITS.map((l) => l.name),
  ]);
  const found = new Map(rows.map((r) => [r.name, Number(r.ms)]));
  return LIMITS.flatMap(({ name, setting }) => {
    const ms = found.get(name) ?? 0;
    if (ms === settings[setting]) return [];
    return [
      `through the pooler, ${name} is ${ms === 0 ? "0 (no limit)" : `${ms} ms`} where ${setting} is ${settings[setting]}: set it on the pooler's connections to PostgreSQL (connect_query in deploy/pgbouncer/pgbouncer.ini)`,
    ];
  });
}
