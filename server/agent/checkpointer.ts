import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type pg from "pg";
import { getPool } from "@/server/db";
import { BranchSafePostgresSaver } from "./saver/branch-safe";
import { ThreadlineSaver } from "./saver/threadline-saver";
import { config } from "@/server/config";

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
  return kind === "stock" ? new BranchSafePostgresSaver(pool, undefined, { schema }) : new ThreadlineSaver(pool, schema);
}

const cache = globalThis as unknown as { __threadlineCheckpointer?: PostgresSaver };
export function getCheckpointer(): PostgresSaver {
  return (cache.__threadlineCheckpointer ??= createCheckpointer(getPool()));
}
