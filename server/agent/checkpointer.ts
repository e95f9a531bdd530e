import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type pg from "pg";
import { getPool } from "@/db/client";

/** LangGraph's tables live in their own schema, which drizzle-kit is told to ignore (schemaFilter). */
export const CHECKPOINT_SCHEMA = "langgraph";

/** On the app's shared pool: fromConnString would open a second pool of its own. */
export function createCheckpointer(pool: pg.Pool): PostgresSaver {
  return new PostgresSaver(pool, undefined, { schema: CHECKPOINT_SCHEMA });
}

const cache = globalThis as unknown as { __threadlineCheckpointer?: PostgresSaver };
export function getCheckpointer(): PostgresSaver {
  return (cache.__threadlineCheckpointer ??= createCheckpointer(getPool()));
}
