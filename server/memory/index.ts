import type { DB } from "@/db/client";
import { logger } from "@/server/observability/log";
import type { Embedder } from "./embeddings";
import { type Recalled, recallFor } from "./recall";
import { markRecalled } from "./store";

/** What the model node needs of memory: recall for a message, and a note of what was used. */
export interface MemoryAccess {
  recall(userId: string, message: string, signal?: AbortSignal): Promise<Recalled[]>;
  /** Marks memories as recalled now, in the background: the model call does not wait for it. */
  recalled(userId: string, ids: string[]): void;
}

export function memoryAccess(db: DB, embedder: Embedder | null): MemoryAccess {
  return {
    recall: (userId, message, signal) => recallFor(db.$client, userId, message, embedder, signal),
    recalled: (userId, ids) => void markRecalled(db, userId, ids).catch((err) => logger().warn({ err }, "could not mark memories as recalled")),
  };
}
