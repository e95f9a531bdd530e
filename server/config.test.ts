import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, configSchema, parseConfig } from "./config";

const refusal = (env: Record<string, string>) => {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.lines;
    throw err;
  }
  throw new Error("accepted");
};

describe("configuration", () => {
  it("refuses a bad value with one line naming the variable, what is wrong and the allowed form", () => {
    expect(refusal({ RUN_HEARTBEAT_MS: "2s" })).toEqual(['RUN_HEARTBEAT_MS must be a whole number of milliseconds, got "2s"']);
    expect(refusal({ CONTEXT_BUDGET_TOKENS: "-5" })).toEqual(['CONTEXT_BUDGET_TOKENS must be a whole number of tokens, got "-5"']);
    expect(refusal({ RUN_SWEEP_MS: "0" })).toEqual(['RUN_SWEEP_MS must be a whole number of milliseconds, got "0"']);
    expect(refusal({ PORT: "70000" })).toEqual(['PORT must be a whole number from 1 to 65535, got "70000"']);
    expect(refusal({ CHECKPOINTER: "sqlite" })).toEqual(['CHECKPOINTER must be one of threadline, stock, got "sqlite"']);
    expect(refusal({ OPENAI_BASE_URL: "localhost:11434" })).toEqual(['OPENAI_BASE_URL must be a URL such as http://localhost:11434/v1, got "localhost:11434"']);
  });

  it("refuses an embeddings provider it cannot reach", () => {
    expect(refusal({ EMBEDDINGS_PROVIDER: "pgvector" })).toEqual([
      'EMBEDDINGS_PROVIDER must be one of openai, openai-compatible, ollama (or unset), got "pgvector"',
    ]);
    expect(refusal({ EMBEDDINGS_PROVIDER: "openai-compatible" })).toEqual([
      "EMBEDDINGS_MODEL must be set when EMBEDDINGS_PROVIDER is openai-compatible, got undefined",
      "EMBEDDINGS_BASE_URL (or OPENAI_BASE_URL) must be set when EMBEDDINGS_PROVIDER is openai-compatible, got undefined",
    ]);
    expect(refusal({ EMBEDDINGS_PROVIDER: "openai" })).toEqual(["OPENAI_API_KEY must be set when EMBEDDINGS_PROVIDER is openai, got undefined"]);
    expect(parseConfig({ EMBEDDINGS_PROVIDER: "ollama" }).EMBEDDINGS_PROVIDER).toBe("ollama");
    expect(parseConfig({}).EMBEDDINGS_PROVIDER).toBeUndefined();
  });

  it("names every bad variable, one line each", () => {
    expect(refusal({ RUN_HEARTBEAT_MS: "fast", LOG_LEVEL: "loud", LOG_QUIET: "yes" })).toEqual([
      'RUN_HEARTBEAT_MS must be a whole number of milliseconds, got "fast"',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'LOG_QUIET must be 1 or 0, got "yes"',
    ]);
  });

  it("refuses a way around a pooler that is not there", () => {
    expect(refusal({ DATABASE_DIRECT_URL: "postgres://app:hunter2@db:5432/x" })).toEqual([
      'DATABASE_DIRECT_URL is the way around the pooler at DATABASE_URL, which must be set too, got "postgres://***@db:5432/x"',
    ]);
    const both = parseConfig({ DATABASE_URL: "postgres://app@pgbouncer:6432/x", DATABASE_DIRECT_URL: "postgres://app@db:5432/x" });
    expect([both.DATABASE_URL, both.DATABASE_DIRECT_URL]).toEqual(["postgres://app@pgbouncer:6432/x", "postgres://app@db:5432/x"]);
  });

  it("keeps a password in a bad URL out of the message", () => {
    expect(refusal({ DATABASE_URL: "mysql://app:hunter2@db:3306/x" })).toEqual([
      'DATABASE_URL must be a URL such as postgres://user:password@host:5432/db, got "mysql://***@db:3306/x"',
    ]);
  });

  it("coerces numbers, applies defaults, and treats an empty value as unset", () => {
    const c = parseConfig({ RUN_HEARTBEAT_MS: "250", MESSAGE_RATE_PER_MINUTE: "0", DATABASE_URL: "", LOG_QUIET: "1" });
    expect(c.RUN_HEARTBEAT_MS).toBe(250);
    expect(c.MESSAGE_RATE_PER_MINUTE).toBe(0);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.LOG_QUIET).toBe(true);
    expect(c.RUN_STALE_AFTER_MS).toBe(10_000);
    expect(c.CHECKPOINTER).toBe("threadline");
  });
});

describe("the README's configuration table", () => {
  const readme = fs.readFileSync(path.join(import.meta.dirname, "..", "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("\n## ", readme.indexOf("## Configuration") + 1));
  const rows = section.split("\n").filter((line) => /^\| `[A-Z]/.test(line));
  const documented = new Map(rows.flatMap((row) => [...row.split("|")[1]!.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => [m[1]!, row.split("|")[2]!] as const)));

  it("lists exactly the variables the schema reads", () => {
    expect([...documented.keys()].sort()).toEqual(Object.keys(configSchema.shape).sort());
  });

  it("gives each number the default the schema has", () => {
    const defaults = parseConfig({});
    const wrong = Object.entries(defaults).flatMap(([name, value]) => {
      if (typeof value !== "number") return [];
      const cell = documented.get(name)?.replaceAll(",", "") ?? "";
      return new RegExp(`\\b${value}\\b`).test(cell) ? [] : [`${name}: README says ${cell.trim()}, the schema ${value}`];
    });
    expect(wrong).toEqual([]);
  });
});
