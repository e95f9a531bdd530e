import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { createDb, type DB } from "../../db/client";
import { createServerPool } from "../../server/db";
import { migrateDatabase } from "../../server/migrate";
import { notificationHub } from "../../server/runs/notify";

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  db: DB;
  drop(): Promise<void>;
}

/** A brand-new database on the test server: every test file starts from an empty, real Postgres. */
export async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = inject("pgAdminUrl");
  const name = `tl_test_${randomBytes(6).toString("hex")}`;
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const empty = await createEmptyDatabase();
  const pool = createServerPool(empty.url);
  await migrateDatabase(pool);
  return {
    url: empty.url,
    pool,
    db: createDb(pool),
    async drop() {
      await pool.end();
      await empty.drop();
    },
  };
}

/**
 * A fresh database for the calling test file, ready before its tests and dropped after them, with
 * the LISTEN connection runs opened on it. Its fields are filled in by `beforeAll`.
 */
export function testDatabaseForFile(): TestDatabase {
  const t = {} as TestDatabase;
  beforeAll(async () => {
    Object.assign(t, await createTestDatabase());
  });
  afterAll(async () => {
    await notificationHub(t.url).close();
    await t.drop();
  });
  return t;
}

async function withAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
