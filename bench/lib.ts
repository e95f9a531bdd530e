import pg from "pg";

let statements = 0;
let counting = false;

/**
 * Runs `fn` and counts the SQL statements sent meanwhile, on every client of every pool. Counting
 * happens at pg.Client.query, which both pool.query and checked-out clients go through.
 */
export async function countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: number }> {
  if (!counting) {
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      statements++;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    counting = true;
  }
  const before = statements;
  const result = await fn();
  return { result, statements: statements - before };
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
