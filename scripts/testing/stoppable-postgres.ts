import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../db/embedded";

export interface StoppablePostgres {
  /** Stays the same across stop() and start(): the same port, the same data. */
  url: string;
  /** As an operator's restart or a crash of the database would: open connections are cut. */
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * An empty PostgreSQL of the test's own, which it can really stop and start again (the shared test
 * server must stay up for the other test files). Each start listens on the first start's port.
 */
export async function startStoppablePostgres(): Promise<StoppablePostgres> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "threadline-outage-pg-"));
  // Postgres runs as the postgres user when we are root: it must be able to reach its directory.
  await fs.chmod(dir, 0o755);
  const dataDir = path.join(dir, "pg");
  let server: EmbeddedPostgres | null = await startEmbeddedPostgres({ dataDir });
  const { url, port } = server;
  return {
    url,
    async stop() {
      await server?.stop();
      server = null;
    },
    async start() {
      server ??= await startEmbeddedPostgres({ dataDir, port });
    },
    async dispose() {
      await server?.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
