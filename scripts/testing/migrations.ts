import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import type pg from "pg";
import { migrationsFolder } from "../../db/migrate";

interface Journal {
  entries: { idx: number; tag: string }[];
}

/**
 * Applies the app's migrations up to and including `lastTag`, as a database that had not yet been
 * upgraded past it would be: so a test can fill it the way that version left it, then migrate the
 * rest with the real migrator. Drizzle reads a folder's journal, so this hands it a shortened copy.
 */
export async function migrateThrough(pool: pg.Pool, lastTag: string): Promise<void> {
  const journal = JSON.parse(await fs.readFile(path.join(migrationsFolder, "meta", "_journal.json"), "utf8")) as Journal;
  const last = journal.entries.findIndex((e) => e.tag === lastTag);
  if (last < 0) throw new Error(`no migration named ${lastTag}`);
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), "threadline-migrations-"));
  try {
    const entries = journal.entries.slice(0, last + 1);
    await fs.mkdir(path.join(folder, "meta"));
    await fs.writeFile(path.join(folder, "meta", "_journal.json"), JSON.stringify({ ...journal, entries }));
    for (const { tag } of entries) await fs.copyFile(path.join(migrationsFolder, `${tag}.sql`), path.join(folder, `${tag}.sql`));
    const client = await pool.connect();
    try {
      await migrate(drizzle(client), { migrationsFolder: folder });
    } finally {
      client.release();
    }
  } finally {
    await fs.rm(folder, { recursive: true, force: true });
  }
}
