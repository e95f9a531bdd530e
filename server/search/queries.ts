import { sql } from "drizzle-orm";
import type { DB } from "@/db/client";
import { searchConfig } from "@/db/schema";
import { MARK_END, MARK_START } from "@/lib/search";

// Every query is scoped by user id, in the index itself: another user's rows are never read.

/** Where the next page starts: the last row shown, in the order pages are read. */
export interface SearchCursor {
  rank: number;
  at: Date;
  id: string;
}

export interface SearchHit {
  /** The row: a message's search key, or the thread's id for a match in its title. */
  id: string;
  threadId: string;
  /** The message to open the conversation at; null for a title. */
  messageId: string | null;
  role: "user" | "assistant" | null;
  /** The title and the snippet, matched words between MARK_START and MARK_END (lib/search.ts). */
  title: string;
  snippet: string | null;
  /** When the message was written, or the conversation's last activity for a title. */
  at: Date;
  rank: number;
}

const MARKS = MARK_START + MARK_END;
const SELECT = `StartSel="${MARK_START}", StopSel="${MARK_END}"`;
const TITLE_HEADLINE = `${SELECT}, HighlightAll=true`;
const SNIPPET_HEADLINE = `${SELECT}, MaxFragments=2, MaxWords=14, MinWords=5, ShortWord=0, FragmentDelimiter=" … "`;

/**
 * One page of the user's messages and titles that match `text`, best first: ts_rank (a title
 * weighs ten times a message), then newest, then id, which is also the keyset order of the cursor.
 * websearch_to_tsquery reads quotes, `or` and `-word` as people type them, and never fails. A query
 * with nothing to look up (only stop words) or only exclusions (`-word`, which would have to read
 * every row) finds nothing. The headlines are made in the outer query, for the page's rows only.
 */
export function searchPageQuery(userId: string, text: string, opts: { limit: number; cursor?: SearchCursor | null }) {
  const query = sql`websearch_to_tsquery(${searchConfig}, ${text})`;
  const lookable = sql`querytree(${query}) NOT IN ('', 'T')`;
  const after = opts.cursor
    ? sql`WHERE (h.rank, h.at, h.id) < (${opts.cursor.rank}::real, ${opts.cursor.at.toISOString()}::timestamptz, ${opts.cursor.id}::uuid)`
    : sql``;
  return sql`
    SELECT h.id, h.thread_id AS "threadId", h.message_id AS "messageId", h.role, (extract(epoch FROM h.at) * 1000)::float8 AS "atMs", h.rank,
      ts_headline(${searchConfig}, translate(t.title, ${MARKS}, ''), ${query}, ${TITLE_HEADLINE}) AS title,
      CASE WHEN m.body IS NULL THEN NULL
        ELSE ts_headline(${searchConfig}, regexp_replace(translate(m.body, ${MARKS}, ''), '\\s+', ' ', 'g'), ${query}, ${SNIPPET_HEADLINE}) END AS snippet
    FROM (
      SELECT h.* FROM (
        SELECT s.key AS id, s.thread_id, s.message_id, s.role, s.created_at AS at, ts_rank(s.tsv, ${query}) AS rank
        FROM message_search s
        WHERE s.user_id = ${userId} AND s.tsv @@ ${query} AND ${lookable}
        UNION ALL
        SELECT t.id, t.id, NULL, NULL, t.updated_at, ts_rank(t.title_search, ${query})
        FROM threads t
        WHERE t.user_id = ${userId} AND t.title_search @@ ${query} AND ${lookable}
      ) h
      ${after}
      ORDER BY h.rank DESC, h.at DESC, h.id DESC
      LIMIT ${opts.limit + 1}
    ) h
    JOIN threads t ON t.id = h.thread_id
    LEFT JOIN message_search m ON h.message_id IS NOT NULL AND m.key = h.id
    ORDER BY h.rank DESC, h.at DESC, h.id DESC`;
}

export async function searchConversations(db: DB, userId: string, opts: { query: string; limit: number; cursor?: SearchCursor | null }) {
  const { rows } = await db.execute<Omit<SearchHit, "at"> & { atMs: number }>(searchPageQuery(userId, opts.query, opts));
  const items: SearchHit[] = rows.slice(0, opts.limit).map(({ atMs, ...r }) => ({ ...r, at: new Date(atMs) }));
  const last = items.at(-1);
  const nextCursor: SearchCursor | null = rows.length > opts.limit && last ? { rank: last.rank, at: last.at, id: last.id } : null;
  return { items, nextCursor };
}
