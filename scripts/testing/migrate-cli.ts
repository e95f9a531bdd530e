import { spawn } from "node:child_process";

/** Migrates a database as an operator does (`npm run db:migrate`), in a process of its own. */
export function migrateWithCli(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/migrate.ts"], { env: { ...process.env, DATABASE_URL: url }, stdio: "pipe" });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (out += d));
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`migrations failed:\n${out}`))));
  });
}
