import type pg from "pg";
import { applyMigrations } from "@/db/migrate";
import { createCheckpointer } from "./agent/checkpointer";

/**
 * Every schema the server needs: the app's tables, then LangGraph's checkpoint tables (whose own
 * setup() is not safe to run concurrently, so it runs under the same lock).
 */
export function migrateDatabase(pool: pg.Pool): Promise<{ applied: number }> {
  return applyMigrations(pool, (p) => createCheckpointer(p).setup());
}
