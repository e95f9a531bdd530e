/**
 * LangGraph's official checkpointer conformance suite, run against the app's saver on a real,
 * freshly created Postgres database.
 */
import { validate } from "@langchain/langgraph-checkpoint-validation";
import type pg from "pg";
import { createPool } from "@/db/client";
import { createEmptyDatabase } from "@/scripts/testing/database";
import { CHECKPOINT_SCHEMA, createCheckpointer } from "./checkpointer";

let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let pool: pg.Pool;

validate({
  checkpointerName: "threadline",
  beforeAllTimeout: 60_000,
  async beforeAll() {
    database = await createEmptyDatabase();
    pool = createPool(database.url);
    await createCheckpointer(pool).setup();
  },
  async afterAll() {
    await pool.end();
    await database.drop();
  },
  createCheckpointer: () => createCheckpointer(pool),
  async destroyCheckpointer() {
    await pool.query(
      `TRUNCATE ${CHECKPOINT_SCHEMA}.checkpoints, ${CHECKPOINT_SCHEMA}.checkpoint_blobs, ${CHECKPOINT_SCHEMA}.checkpoint_writes, ${CHECKPOINT_SCHEMA}.message_payloads, ${CHECKPOINT_SCHEMA}.message_nodes`,
    );
  },
});
