import { createHash } from "node:crypto";
import type pg from "pg";
import { behindPooler } from "./client";

const names = new Map<string, string>();

/**
 * A statement each connection prepares once, named by its text: statements that differ only in
 * their values are parsed and planned once per connection. Behind a transaction pooler it goes
 * unnamed, since the server connection that prepared it may not be the one that runs it next
 * (PostgreSQL: "prepared statement … does not exist", or "… already exists").
 */
export function prepared(pool: pg.Pool, text: string, values: unknown[]): pg.QueryConfig {
  if (behindPooler(pool)) return { text, values };
  let name = names.get(text);
  if (!name) names.set(text, (name = `tl_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`));
  return { name, text, values };
}
