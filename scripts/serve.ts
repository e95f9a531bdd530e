/**
 * `npm run dev` / `npm start`: provide a database (DATABASE_URL or embedded), apply migrations,
 * then run Next. On a signal, Next stops first and the embedded database last, so the app can
 * finish its work against the database while it shuts down.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import nextEnv from "@next/env";
import { createPool } from "../db/client";
import { chooseModel } from "../server/agent/model";
import { config } from "../server/config";
import { threadlineFile } from "../server/agent/config-file";
import { migrateDatabase } from "../server/migrate";
import { provisionDatabase } from "../db/provision";
import { resolveAuthSecret } from "./lib/auth-secret";
import { fail } from "./lib/fail";
import { nextNodeFlags } from "./lib/next-node-flags";

const mode = process.argv[2] === "start" ? "start" : "dev";
const log = (line: string) => console.log(`[threadline] ${line}`);
nextEnv.loadEnvConfig(process.cwd(), mode === "dev");

async function main() {
  // Every setting is checked before anything starts: a bad one ends here, with one line naming it.
  const settings = await Promise.resolve().then(config).catch(fail);
  // So is threadline.config.json, when there is one: a bad one ends here, one line per problem with its JSON path.
  const file = await Promise.resolve().then(threadlineFile).catch(fail);
  if (file) log(`Configuration file: ${file.agents.length} agent(s), ${file.models.length} model(s), ${file.mcpServers.length} MCP server(s)`);
  const authSecret = await Promise.resolve()
    .then(() => resolveAuthSecret(mode, settings))
    .catch(fail);
  const database = await provisionDatabase(
    { url: settings.DATABASE_URL, directUrl: settings.DATABASE_DIRECT_URL, dataDir: settings.THREADLINE_DATA_DIR },
    log,
  ).catch(fail);
  log(`Database: ${database.description}`);

  const pool = createPool(database.migrationUrl);
  const { applied } = await migrateDatabase(pool).catch(async (err) => {
    await database.stop();
    return fail(err);
  });
  await pool.end();
  log(applied ? `Applied ${applied} database migration(s)` : "Database schema is up to date");
  const model = chooseModel(settings);
  log(
    model.provider === "offline"
      ? "Model: offline demo model (no OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY or OLLAMA_BASE_URL set)"
      : `Model: ${model.label} (provider ${model.provider})`,
  );

  const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
  // Same process group, so a supervisor that kills the group takes Next down too. The embedded
  // Postgres is in a session of its own (pg_ctl), so it outlives Next and we stop it after.
  const args = process.argv.slice(3);
  // HOST picks the interface to listen on (Next's default is every one); -H on the command line wins.
  const host = settings.HOST && !args.some((a) => a === "-H" || a === "--hostname") ? ["-H", settings.HOST] : [];
  const child = spawn(process.execPath, [...nextNodeFlags(settings.HEAP_GROWING_PERCENT), nextBin, mode, ...host, ...args], {
    stdio: "inherit",
    // In production the app itself (instrumentation.ts) handles SIGTERM: it drains running answers first.
    env: { ...process.env, DATABASE_URL: database.url, AUTH_SECRET: authSecret, ...(mode === "start" && { NEXT_MANUAL_SIG_HANDLE: "true" }) },
  });

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (child.exitCode === null) child.kill(signal);
    });
  }
  child.on("exit", async (code, signal) => {
    await database.stop();
    process.exit(code ?? (signal ? 0 : 1));
  });
}

void main();
