import pg from "pg";

let statements = 0;
let counting = false;

/**
 * Runs `fn` and counts the SQL statements executed meanwhile, on every connection of every pool.
 * Counting happens where pg writes protocol messages to the socket, below any wrapper put on a
 * client's `query` (db/client.ts times each pooled connection's). A simple-protocol Query message
 * is one statement; in the extended protocol each Bind is one execution, while Parse happens once
 * per prepared statement and connection, and Execute may repeat for one portal read in pages.
 * Work that sends nothing is an error (`what` names it): a turn that stores no checkpoint means the
 * counter has gone blind, as it once did, and its figures would be wrong.
 */
export async function countStatements<T>(what: string, fn: () => Promise<T>): Promise<{ result: T; statements: number }> {
  if (!counting) {
    const { query, bind } = pg.Connection.prototype;
    pg.Connection.prototype.query = function (this: pg.Connection, text: string) {
      statements++;
      return query.call(this, text);
    };
    pg.Connection.prototype.bind = function (this: pg.Connection, ...args: Parameters<typeof bind>) {
      statements++;
      return bind.apply(this, args);
    };
    counting = true;
  }
  const before = statements;
  const result = await fn();
  const counted = statements - before;
  if (counted === 0) throw new Error(`${what} sent no SQL statement: the statement counter no longer sees pg's connections`);
  return { result, statements: counted };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const WORDS = "the a conversation agent state checkpoint message turn branch thread postgres stream token answer question model tool".split(" ");

/** Deterministic filler text of about `length` characters. */
export function sentence(length: number, seed: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += `${WORDS[(seed * 7 + i * 13) % WORDS.length]} `;
  return out.slice(0, length);
}
