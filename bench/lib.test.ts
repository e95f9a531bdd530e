import type pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createPool } from "../db/client";
import { countStatements } from "./lib";

describe("countStatements", () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    // The app's own pool, whose connections carry a timing wrapper bound when each opens. Opened
    // before anything is counted, as the bench's is by the migrations: a counter patched in above
    // that wrapper would miss every statement on it.
    pool = createPool(inject("pgAdminUrl"));
    await pool.query("SELECT 1");
  });
  afterAll(() => pool.end());

  it("counts statements sent through the app's pool, simple and parameterised", async () => {
    const { statements } = await countStatements("three queries", async () => {
      await pool.query("SELECT 1");
      await pool.query("SELECT $1::int", [2]);
      await pool.query({ text: "SELECT $1::int + 1", values: [3] });
    });
    expect(statements).toBe(3);
  });

  it("counts each execution of a prepared statement, not its one preparation", async () => {
    const client = await pool.connect();
    try {
      const { statements } = await countStatements("a prepared statement run four times", async () => {
        for (let i = 0; i < 4; i++) await client.query({ name: "bench-lib-test", text: "SELECT $1::int AS n", values: [i] });
      });
      expect(statements).toBe(4);
    } finally {
      client.release();
    }
  });

  it("stops with an error naming the work when it sent no statement", async () => {
    await expect(countStatements("turn 7 with the test saver", async () => 42)).rejects.toThrow(/^turn 7 with the test saver sent no SQL statement/);
  });
});
