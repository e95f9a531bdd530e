import type pg from "pg";

/** How much message_search holds: `messages` over `users`, of which the searching user (SEARCHER) has `searcherMessages`. */
export interface SearchDataPlan {
  users: number;
  messages: number;
  searcherMessages: number;
  threads: number;
  searcherThreads: number;
}

export const SEARCHER = "search-0";

/** Made-up words of three syllables (8,000 of them), the same in SQL and here, so a test can ask for a word by its rank. */
const SYLLABLES = ["ka", "lo", "mi", "nu", "ru", "sa", "ti", "vo", "ba", "do", "fi", "gu", "ha", "jo", "ki", "lu", "ma", "no", "pi", "ro"];
export const VOCABULARY = SYLLABLES.length ** 3;
export const word = (i: number) => SYLLABLES[i % 20]! + SYLLABLES[Math.floor(i / 20) % 20]! + SYLLABLES[Math.floor(i / 400) % 20]!;

/**
 * Fills the search tables straight from SQL (not through the app): users, threads and messages of
 * 8 to 40 words each, drawn with a skew like real text's (word i is drawn about as often as
 * i^(-2/3)), from a fixed seed. The searching user's messages are spread through the table as
 * everyone's are (one in every messages/searcherMessages), so their rows sit on pages of their own
 * as they would after months of use. The GIN index is dropped during the load and made again
 * after, as a restore would do, then the tables are analysed.
 */
export async function fillSearchData(pool: pg.Pool, plan: SearchDataPlan) {
  const others = plan.users - 1;
  const otherThreads = plan.threads - plan.searcherThreads;
  const every = Math.round(plan.messages / plan.searcherMessages);
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ def: string }>(
      "SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indexrelid = 'message_search_user_tsv_idx'::regclass",
    );
    await client.query("SET maintenance_work_mem = '256MB'");
    await client.query("DROP INDEX message_search_user_tsv_idx");
    await client.query(`INSERT INTO "user" (id, email) SELECT 'search-' || g, 'search-' || g || '@example.com' FROM generate_series(0, $1::int - 1) g`, [
      plan.users,
    ]);
    await client.query(
      `INSERT INTO threads (id, user_id, title, created_at, updated_at)
       SELECT md5('search-thread-' || n)::uuid,
              CASE WHEN n < $1::int THEN $3 ELSE 'search-' || (1 + (n - $1::int) % $2::int) END,
              'Conversation ' || n, now() - interval '1 year', now()
       FROM generate_series(0, $1::int + $4::int - 1) n`,
      [plan.searcherThreads, others, SEARCHER, otherThreads],
    );
    await client.query("SELECT setseed(0.42)");
    await client.query(
      `WITH m AS (
         SELECT g, CASE WHEN g % $3::int = 0 THEN (g / $3::int) % $4::int ELSE $4::int + (g::bigint * 7919) % $5::int END AS thread
         FROM generate_series(0, $2::int - 1) g
       )
       INSERT INTO message_search (key, user_id, thread_id, message_id, role, body, created_at)
       SELECT gen_random_uuid(),
              CASE WHEN m.thread < $4::int THEN $7 ELSE 'search-' || (1 + (m.thread - $4::int) % $6::int) END,
              md5('search-thread-' || m.thread)::uuid,
              'message-' || m.g,
              CASE WHEN m.g % 2 = 0 THEN 'user' ELSE 'assistant' END,
              (SELECT string_agg(($1::text[])[1 + r % 20] || ($1::text[])[1 + r / 20 % 20] || ($1::text[])[1 + r / 400], ' ')
               FROM (SELECT floor(${VOCABULARY} * random() ^ 3)::int AS r FROM generate_series(1, 8 + m.g % 33)) x),
              now() - ($2::int - m.g) * interval '1 second'
       FROM m`,
      [SYLLABLES, plan.messages, every, plan.searcherThreads, otherThreads, others, SEARCHER],
    );
    await client.query(rows[0]!.def);
    await client.query("ANALYZE message_search");
    await client.query("ANALYZE threads");
  } finally {
    await client.query("RESET maintenance_work_mem").catch(() => undefined);
    client.release();
  }
}
