import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "../../db/embedded";
import { checkConnection } from "../../db/provision";

export interface TestPostgres {
  /** A URL on a role that may CREATE DATABASE; tests make their own databases from it. */
  adminUrl: string;
  stop(): Promise<void>;
}

/** The server that test databases are created on: DATABASE_URL's when set, else a throwaway embedded one. */
export async function startTestPostgres(): Promise<TestPostgres> {
  if (process.env.DATABASE_URL) {
    await checkConnection(process.env.DATABASE_URL);
    return { adminUrl: process.env.DATABASE_URL, stop: async () => {} };
  }
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "threadline-test-pg-"));
  const pg = await startEmbeddedPostgres({ dataDir });
  return {
    adminUrl: pg.url,
    async stop() {
      await pg.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
      await fs.rm(`${dataDir}.password`, { force: true });
    },
  };
}
