/**
 * LangGraph's official checkpointer conformance suite, run against the app's saver on a real,
 * freshly created Postgres database.
 */
import { validate } from "@langchain/langgraph-checkpoint-validation";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { CHECKPOINT_SCHEMA, createCheckpointer } from "./checkpointer";

// Migrated, as the app's database is: the saver writes search rows (message_search) beside its own tables.
const t = testDatabaseForFile();

validate({
  checkpointerName: "threadline",
  beforeAllTimeout: 60_000,
  async beforeAll() {
    await createCheckpointer(t.pool).setup();
  },
  createCheckpointer: () => createCheckpointer(t.pool),
  async destroyCheckpointer() {
    await t.pool.query(
      `TRUNCATE ${CHECKPOINT_SCHEMA}.checkpoints, ${CHECKPOINT_SCHEMA}.checkpoint_blobs, ${CHECKPOINT_SCHEMA}.checkpoint_writes, ${CHECKPOINT_SCHEMA}.message_payloads, ${CHECKPOINT_SCHEMA}.message_nodes`,
    );
  },
});
