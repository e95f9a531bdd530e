import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type pg from "pg";
import { getPool } from "@/server/db";
import { BranchSafePostgresSaver } from "./saver/branch-safe";
import { ThreadlineSaver } from "./saver/threadline-saver";
import { config } from "@/server/config";
import { throughOutage } from "@/server/database-outage";

/** LangGraph's tables live in their own schema, which drizzle-kit is told to ignore (schemaFilter). */
export const CHECKPOINT_SCHEMA = "langgraph";

export type CheckpointerKind = "threadline" | "stock";

/**
 * The app's checkpointer: ours, which stores each message once, unless CHECKPOINTER=stock asks for
 * LangGraph's own (with branch-safe versions) to compare against. Ours reads what the stock one
 * wrote; the reverse is not true, so going back to stock is for fresh databases only.
 */
export const checkpointerKind = (): CheckpointerKind => config().CHECKPOINTER;

/** On the app's shared pool: fromConnString would open a second pool of its own. */
export function createCheckpointer(pool: pg.Pool, schema = CHECKPOINT_SCHEMA, kind = checkpointerKind()): PostgresSaver {
  return waitsOutOutages(kind === "stock" ? new BranchSafePostgresSaver(pool, undefined, { schema }) : new ThreadlineSaver(pool, schema));
}

/**
 * A step's checkpoint waits for Postgres to come back (up to DB_OUTAGE_GRACE_MS) instead of failing
 * the run: runs save each step before the next ("sync" durability), so the graph simply pauses,
 * and no node runs again. Each put and putWrites is an upsert, safe to repeat.
 */
function waitsOutOutages<S extends PostgresSaver>(saver: S): S {
  const put = saver.put.bind(saver);
  const putWrites = saver.putWrites.bind(saver);
  saver.put = (...args) => throughOutage(() => put(...args));
  saver.putWrites = (...args) => throughOutage(() => putWrites(...args));
  return saver;
}

const cache = globalThis as unknown as { __threadlineCheckpointer?: PostgresSaver };
export function getCheckpointer(): PostgresSaver {
  return (cache.__threadlineCheckpointer ??= createCheckpointer(getPool()));
}
