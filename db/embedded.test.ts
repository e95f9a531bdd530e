import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { startEmbeddedPostgres } from "./embedded";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "..");

describe("embedded PostgreSQL", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), "threadline-embedded-")), "postgres");
    await fs.chmod(path.dirname(dataDir), 0o755);
  });
  afterAll(async () => {
    await fs.rm(path.dirname(dataDir), { recursive: true, force: true });
  });

  it("keeps its data across a stop and a start", async () => {
    const first = await startEmbeddedPostgres({ dataDir });
    const a = new pg.Client({ connectionString: first.url });
    await a.connect();
    await a.query("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
    await a.end();
    await first.stop();

    const second = await startEmbeddedPostgres({ dataDir });
    try {
      const b = new pg.Client({ connectionString: second.url });
      await b.connect();
      const { rows } = await b.query("SELECT v FROM kept");
      await b.end();
      expect(rows).toEqual([{ v: "still here" }]);
    } finally {
      await second.stop();
    }
  });

  it("refuses a second app on the same data directory, with a clear message, and leaves the first running", async () => {
    const first = await startEmbeddedPostgres({ dataDir });
    try {
      const second = await run(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/migrate.ts"], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: "", THREADLINE_DATA_DIR: path.dirname(dataDir) },
      }).then(
        () => ({ code: 0, stderr: "" }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`Another Threadline process (pid ${process.pid}) is already using the embedded database`);
      expect(second.stderr).not.toMatch(/\n\s+at /); // no stack trace

      const client = new pg.Client({ connectionString: first.url });
      await client.connect();
      expect((await client.query("SELECT 1 AS ok")).rows).toEqual([{ ok: 1 }]);
      await client.end();
    } finally {
      await first.stop();
    }
  });

  it("restarts cleanly after its owner was killed and left Postgres running", async () => {
    const orphan = await startEmbeddedPostgres({ dataDir });
    // Pretend the owning process died: a pid that cannot be alive.
    await fs.writeFile(`${dataDir}.owner`, "999999999");
    const next = await startEmbeddedPostgres({ dataDir });
    try {
      expect(next.port).not.toBe(orphan.port);
      const client = new pg.Client({ connectionString: next.url });
      await client.connect();
      await client.end();
    } finally {
      await next.stop();
    }
  });
});
