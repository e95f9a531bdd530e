import type pg from "pg";
import type { MemoryKind } from "@/lib/memory";
import type { Embedder } from "./embeddings";
import { prepared } from "@/db/statements";

/** A memory as recall returns it: enough to show the model and to name it afterwards. */
export interface Recalled {
  id: string;
  kind: MemoryKind;
  text: string;
}

/** Candidates read per call, at most: more than the memory share of the budget ever holds. */
export const MAX_PROFILE = 100;
export const MAX_FACTS = 50;
const MAX_QUERY_WORDS = 32;

/**
 * The full-text query for a plain sentence: its words joined by `or`, for websearch_to_tsquery.
 * A sentence ANDed word by word would match only memories holding every word of it ("what units do
 * I prefer" would need all five); ORed, one shared word counts and ts_rank_cd puts the memories
 * sharing more of them first. Stop words ("what", "do", "I") fall out in the `english`
 * configuration; punctuation is dropped, so nothing the user writes reads as an operator.
 */
export function orQuery(text: string): string {
  const words = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].filter((w) => w !== "or");
  return words.slice(0, MAX_QUERY_WORDS).join(" or ");
}

/** The user's profile memories (newest first) and the facts that best match the query (by ts_rank_cd), in one statement. */
const RECALL_SQL = `
  (SELECT id, kind, text FROM memories WHERE user_id = $1 AND kind = 'profile' ORDER BY updated_at DESC, id DESC LIMIT ${MAX_PROFILE})
  UNION ALL
  (SELECT m.id, m.kind, m.text FROM memories m, websearch_to_tsquery('english', $2) q
   WHERE m.user_id = $1 AND m.kind = 'fact' AND m.tsv @@ q
   ORDER BY ts_rank_cd(m.tsv, q, 1) DESC, m.updated_at DESC, m.id DESC LIMIT ${MAX_FACTS})`;

/** The same profile part alone, when the message has no word to search for. */
const PROFILE_SQL = `SELECT id, kind, text FROM memories WHERE user_id = $1 AND kind = 'profile' ORDER BY updated_at DESC, id DESC LIMIT ${MAX_PROFILE}`;

/** The memories (of the kinds asked for) with a vector of the configured embeddings model, to rank by cosine similarity. */
const VECTORS_SQL = `SELECT id, kind, text, embedding FROM memories WHERE user_id = $1 AND kind = ANY($3::text[]) AND embedding_model = $2 AND embedding IS NOT NULL`;

/** The recall tool's search: every kind, best match first; or the newest when it searches for nothing. */
const SEARCH_SQL = `SELECT m.id, m.kind, m.text FROM memories m, websearch_to_tsquery('english', $2) q WHERE m.user_id = $1 AND m.tsv @@ q
  ORDER BY ts_rank_cd(m.tsv, q, 1) DESC, m.updated_at DESC, m.id DESC LIMIT $3`;
const NEWEST_SQL = `SELECT id, kind, text FROM memories WHERE user_id = $1 ORDER BY updated_at DESC, id DESC LIMIT $2`;

/**
 * What recall puts before the model for the latest message: every profile memory, then the facts
 * most relevant to it. With an embeddings provider, the full-text ranking and cosine similarity
 * over the stored vectors are combined by reciprocal rank fusion (each list's rank counts, not its
 * score, so two scales never need reconciling). The caller fits them into the memory share.
 */
export async function recallFor(pool: pg.Pool, userId: string, message: string, embedder?: Embedder | null, signal?: AbortSignal): Promise<Recalled[]> {
  const query = orQuery(message);
  const textual = query ? pool.query<Recalled>(prepared(pool, RECALL_SQL, [userId, query])) : pool.query<Recalled>(prepared(pool, PROFILE_SQL, [userId]));
  if (!embedder || !message.trim()) return (await textual).rows;
  const [{ rows }, byVector] = await Promise.all([textual, nearest(pool, userId, message, ["fact"], embedder, signal)]);
  const profile = rows.filter((r) => r.kind === "profile");
  const facts = rows.filter((r) => r.kind === "fact");
  return [...profile, ...fuse([facts, byVector]).slice(0, MAX_FACTS)];
}

/** What the recall tool finds for a query: full text, with cosine similarity fused in when there is an embedder. */
export async function searchMemories(pool: pg.Pool, userId: string, text: string, limit: number, embedder?: Embedder | null, signal?: AbortSignal) {
  const query = orQuery(text);
  if (!query) return (await pool.query<Recalled>(prepared(pool, NEWEST_SQL, [userId, limit]))).rows;
  const textual = pool.query<Recalled>(prepared(pool, SEARCH_SQL, [userId, query, limit]));
  if (!embedder) return (await textual).rows;
  const [{ rows }, byVector] = await Promise.all([textual, nearest(pool, userId, text, ["profile", "fact"], embedder, signal)]);
  return fuse([rows, byVector]).slice(0, limit);
}

/** Memories by cosine similarity to the text; none when the provider fails (full text still answers). */
async function nearest(pool: pg.Pool, userId: string, text: string, kinds: MemoryKind[], embedder: Embedder, signal?: AbortSignal): Promise<Recalled[]> {
  const vector = await embedder.embedQuery(text, signal);
  if (!vector) return [];
  const { rows } = await pool.query<Recalled & { embedding: number[] }>(prepared(pool, VECTORS_SQL, [userId, embedder.model, kinds]));
  return rows
    .map((r) => ({ memory: { id: r.id, kind: r.kind, text: r.text }, score: cosine(vector, r.embedding) }))
    .filter((r) => r.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_FACTS)
    .map((r) => r.memory);
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** Reciprocal rank fusion: 1 / (60 + rank) summed over the lists a memory appears in. */
export function fuse(lists: Recalled[][], k = 60): Recalled[] {
  const scored = new Map<string, { memory: Recalled; score: number }>();
  for (const list of lists)
    list.forEach((memory, rank) => {
      const entry = scored.get(memory.id) ?? { memory, score: 0 };
      entry.score += 1 / (k + rank + 1);
      scored.set(memory.id, entry);
    });
  return [...scored.values()].sort((a, b) => b.score - a.score).map((e) => e.memory);
}

/** The same query as recall, without its index: every one of the user's facts read and parsed again (the benchmark's baseline). */
export const NAIVE_RECALL_SQL = `
  (SELECT id, kind, text FROM memories WHERE user_id = $1 AND kind = 'profile' ORDER BY updated_at DESC, id DESC LIMIT ${MAX_PROFILE})
  UNION ALL
  (SELECT m.id, m.kind, m.text FROM memories m, websearch_to_tsquery('english', $2) q
   WHERE m.user_id = $1 AND m.kind = 'fact' AND to_tsvector('english', m.text) @@ q
   ORDER BY ts_rank_cd(to_tsvector('english', m.text), q, 1) DESC, m.updated_at DESC, m.id DESC LIMIT ${MAX_FACTS})`;

export { RECALL_SQL };
