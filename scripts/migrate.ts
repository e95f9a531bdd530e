/** `npm run db:migrate`: apply pending migrations to DATABASE_URL (over DATABASE_DIRECT_URL when set), or to the embedded database. */
import nextEnv from "@next/env";
import { createPool } from "../db/client";
import { config } from "../server/config";
import { migrateDatabase } from "../server/migrate";
import { provisionDatabase } from "../db/provision";
import { fail } from "./lib/fail";

nextEnv.loadEnvConfig(process.cwd(), true);
const log = (line: string) => console.log(`[threadline] ${line}`);

const settings = await Promise.resolve().then(config).catch(fail);
const database = await provisionDatabase(
  { url: settings.DATABASE_URL, directUrl: settings.DATABASE_DIRECT_URL, dataDir: settings.THREADLINE_DATA_DIR },
  log,
).catch(fail);
const pool = createPool(database.migrationUrl);
try {
  const { applied } = await migrateDatabase(pool);
  log(`${database.description}: ${applied ? `applied ${applied} migration(s)` : "schema is up to date"}`);
} catch (err) {
  await pool.end();
  await database.stop();
  fail(err);
}
await pool.end();
await database.stop();
