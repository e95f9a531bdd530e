import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, inject } from "vitest";
import { createDb, type DB } from "../../db/client";
import { createServerPool } from "../../server/db";
import { migrateDatabase } from "../../server/migrate";
import { notificationHub } from "../../server/runs/notify";

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  db: DB;
}

export interface TestDatabaseOptions {
  /** False for an empty database: for the migrations' own tests, and for code that sets up its schema itself. */
  migrated?: boolean;
  /** A new database for every test of the file, for tests that each need one untouched. */
  eachTest?: boolean;
}

/**
 * A brand-new database on the test server for the calling test file, ready before its tests and
 * dropped after them: every file starts from a real, empty or migrated, Postgres of its own. Its
 * fields are filled in by the `beforeAll` (or `beforeEach`) it registers. Dropping it also closes
 * the LISTEN connection that runs open on it, which would otherwise keep the test process alive.
 */
export function testDatabaseForFile({ migrated = true, eachTest = false }: TestDatabaseOptions = {}): TestDatabase {
  const t = {} as TestDatabase;
  let name: string | null = null;
  (eachTest ? beforeEach : beforeAll)(async () => {
    name = `tl_test_${randomBytes(6).toString("hex")}`;
    await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
    const url = new URL(inject("pgAdminUrl"));
    url.pathname = `/${name}`;
    const pool = createServerPool(url.toString());
    Object.assign(t, { url: url.toString(), pool, db: createDb(pool) });
    if (migrated) await migrateDatabase(pool);
  });
  (eachTest ? afterEach : afterAll)(async () => {
    if (!name) return;
    const dropping = name;
    name = null;
    await notificationHub(t.url).close();
    await t.pool.end();
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${dropping} WITH (FORCE)`));
  });
  return t;
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject("pgAdminUrl") });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
