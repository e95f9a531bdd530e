import { afterAll, describe, expect, it } from "vitest";
import { createPool } from "@/db/client";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { readiness } from "./health";

const t = testDatabaseForFile();
const unmigrated = testDatabaseForFile({ migrated: false });
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe("readiness", () => {
  it("is ready on a migrated database", async () => {
    expect(await readiness(t.pool)).toEqual({ ready: true, checks: { database: true, migrations: true, accepting: true } });
  });

  it("is not ready on a database without the migrations, or with no database at all", async () => {
    expect(await readiness(unmigrated.pool)).toEqual({ ready: false, checks: { database: true, migrations: false, accepting: true } });

    const nowhere = createPool("postgres://nobody@127.0.0.1:1/none");
    cleanups.push(() => nowhere.end());
    expect(await readiness(nowhere)).toEqual({ ready: false, checks: { database: false, migrations: false, accepting: true } });
  });
});
