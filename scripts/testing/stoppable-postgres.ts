import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../db/embedded";
import { createDb, type DB } from "../../db/client";
import { createServerPool } from "../../server/db";
import { migrateDatabase } from "../../server/migrate";
import { notificationHub } from "../../server/runs/notify";
import type pg from "pg";

export interface StoppablePostgres {
  /** Stays the same across stop() and start(): the same port, the same data. */
  url: string;
  pool: pg.Pool;
  db: DB;
  /** As an operator's restart or a crash of the database would: open connections are cut. */
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A migrated PostgreSQL of the test's own, which it can really stop and start again (the shared test
 * server must stay up for the other test files). Each start listens on the first start's port.
 */
export async function startStoppablePostgres(): Promise<StoppablePostgres> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "threadline-outage-pg-"));
  // Postgres runs as the postgres user when we are root: it must be able to reach its directory.
  await fs.chmod(dataDir, 0o755);
  let server: EmbeddedPostgres | null = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pg") });
  const { url, port } = server;
  const pool = createServerPool(url);
  await migrateDatabase(pool);
  return {
    url,
    pool,
    db: createDb(pool),
    async stop() {
      await server?.stop();
      server = null;
    },
    async start() {
      server ??= await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pg"), port });
    },
    async dispose() {
      await notificationHub(url).close();
      await pool.end().catch(() => undefined);
      await server?.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
