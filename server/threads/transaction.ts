import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { drizzle } from "drizzle-orm/node-postgres";
import type pg from "pg";
import type { DB } from "@/db/client";
import * as schema from "@/db/schema";
import { createCheckpointer } from "@/server/agent/checkpointer";

/** LangGraph's config key for a checkpointer lent to a graph for one call (as a parent lends its subgraphs). */
const LENT_CHECKPOINTER = "__pregel_checkpointer";

export interface ConversationTransaction {
  db: DB;
  /** A graph config for the thread that reads and writes checkpoints inside this transaction. */
  at: (threadId: string, checkpointId?: string) => { configurable: Record<string, unknown> };
}

/**
 * Runs `write` in one Postgres transaction that takes the checkpoints with it: the app's tables
 * through `db`, and the graph's checkpoints through a checkpointer on the same connection, lent
 * to the graph by the config `at` makes. Either all of it is committed or none of it. The
 * checkpointer's own BEGIN and COMMIT (the stock saver's) become no-ops on that connection.
 */
export async function inConversationTransaction<T>(db: DB, write: (tx: ConversationTransaction) => Promise<T>): Promise<T> {
  const client = await db.$client.connect();
  try {
    await client.query("BEGIN");
    const checkpointer: BaseCheckpointSaver = createCheckpointer(onOneConnection(db.$client, client));
    const result = await write({
      db: drizzle(client, { schema }) as unknown as DB,
      at: (threadId, checkpointId) => ({
        configurable: { thread_id: threadId, ...(checkpointId && { checkpoint_id: checkpointId }), [LENT_CHECKPOINTER]: checkpointer },
      }),
    });
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK)\b/i;

/** A pool whose every query, and every client it lends, is the one connection of the transaction. */
function onOneConnection(pool: pg.Pool, client: pg.PoolClient): pg.Pool {
  const query = ((...args: Parameters<pg.PoolClient["query"]>) => client.query(...args)) as pg.Pool["query"];
  const lent = {
    query: ((text: unknown, ...rest: unknown[]) =>
      typeof text === "string" && TRANSACTION_CONTROL.test(text)
        ? Promise.resolve({ rows: [], rowCount: 0 })
        : (client.query as (...a: unknown[]) => unknown)(text, ...rest)) as pg.PoolClient["query"],
    release: () => undefined,
  };
  // The pool's own properties (its options, whether it is behind a pooler) still read through.
  return Object.assign(Object.create(pool) as pg.Pool, { query, connect: async () => lent });
}
