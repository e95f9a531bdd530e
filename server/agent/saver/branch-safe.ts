import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";

/**
 * The stock saver, with channel versions that cannot collide across branches. It keys stored values
 * by (thread, channel, version), and its default versions count 1, 2, 3 along each branch, so a fork
 * from an older checkpoint reached a version number the old branch had already stored, and its
 * write was dropped (ON CONFLICT DO NOTHING): the new branch read the old branch's messages. These
 * versions still grow by at least 1, but start from the clock in microseconds (plus a random
 * part), so two branches never produce the same one; plain numbers, so older threads keep working.
 */
export class BranchSafePostgresSaver extends PostgresSaver {
  override getNextVersion(current: number | undefined): number {
    const next = typeof current === "number" ? current + 1 : 1;
    return Math.max(next, Date.now() * 1000 + Math.floor(Math.random() * 1000));
  }
}
