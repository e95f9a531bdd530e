/** `npm run db:migrate`: apply pending migrations to DATABASE_URL, or to the embedded database. */
import nextEnv from "@next/env";
import { createPool } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import { provisionDatabase } from "../db/provision";
import { fail } from "./lib/fail";

nextEnv.loadEnvConfig(process.cwd(), true);
const log = (line: string) => console.log(`[threadline] ${line}`);

const database = await provisionDatabase(log).catch(fail);
const pool = createPool(database.url);
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
