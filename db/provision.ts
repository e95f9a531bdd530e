import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "./embedded";
import { explainDatabaseError } from "./errors";

export interface ProvisionedDatabase {
  url: string;
  /** Where migrations go (they hold a session advisory lock): the direct URL around a pooler, else `url`. */
  migrationUrl: string;
  /** A human description for the start-up log, without credentials. */
  description: string;
  stop(): Promise<void>;
}

export class DatabaseUnavailableError extends Error {}

/**
 * `url` (DATABASE_URL) when set, and `directUrl` (DATABASE_DIRECT_URL, around a pooler at `url`),
 * each checked by connecting; otherwise the embedded PostgreSQL under `dataDir`.
 */
export async function provisionDatabase(
  { url, directUrl, dataDir }: { url?: string; directUrl?: string; dataDir: string },
  log: (line: string) => void,
): Promise<ProvisionedDatabase> {
  if (url) {
    await checkConnection(url);
    if (directUrl) await checkConnection(directUrl);
    const description = `PostgreSQL at ${redact(url)}${directUrl ? `, directly at ${redact(directUrl)}` : ""}`;
    return { url, migrationUrl: directUrl ?? url, description, stop: async () => {} };
  }
  const pgDir = path.join(path.resolve(dataDir), "postgres");
  const embedded = await startEmbeddedPostgres({ dataDir: pgDir, log });
  return {
    url: embedded.url,
    migrationUrl: embedded.url,
    description: `embedded PostgreSQL on 127.0.0.1:${embedded.port} (data in ${path.relative(process.cwd(), pgDir) || pgDir})`,
    stop: embedded.stop,
  };
}

export async function checkConnection(url: string): Promise<void> {
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  } catch (err) {
    throw new DatabaseUnavailableError(explainDatabaseError(err, url));
  }
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (err) {
    throw new DatabaseUnavailableError(explainDatabaseError(err, url));
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(invalid URL)";
  }
}
