/**
 * `npm test`: typecheck, lint, vitest against real Postgres, then Playwright against the production
 * build. Uses DATABASE_URL's server when set (making throwaway databases on it), else a throwaway
 * embedded PostgreSQL. Every step runs; the exit code is non-zero if any failed.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startTestPostgres } from "./testing/postgres-server";
import { fail } from "./lib/fail";
import { freePort } from "./lib/free-port";

const bin = (name: string) => path.join("node_modules", ".bin", name);
const TEST_STEPS = ["unit + integration (vitest)", "several server instances (vitest)", "end-to-end (playwright)"];
const results: { step: string; ok: boolean; seconds: number }[] = [];
const counts = { passed: 0, failed: 0, skipped: 0 };

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: "inherit", env: { ...process.env, ...env } });
    child.on("exit", (code) => resolve(code === 0));
    child.on("error", () => resolve(false));
  });
}

async function step(name: string, fn: () => Promise<boolean>) {
  console.log(`\n── ${name} ──`);
  const started = Date.now();
  const ok = await fn().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    return false;
  });
  results.push({ step: name, ok, seconds: (Date.now() - started) / 1000 });
}

type Counts = typeof counts;
function tally<R>(file: string, read: (report: R) => Counts) {
  if (!fs.existsSync(file)) return;
  const c = read(JSON.parse(fs.readFileSync(file, "utf8")) as R);
  counts.passed += c.passed;
  counts.failed += c.failed;
  counts.skipped += c.skipped;
}

const reports = fs.mkdtempSync(path.join(os.tmpdir(), "threadline-reports-"));
const server = await startTestPostgres().catch(fail);

await step("typecheck", () => run(bin("tsc"), ["--noEmit"]));
await step("lint", () => run("npm", ["run", "--silent", "lint"]));
await step("format (prettier)", () => run(bin("prettier"), ["--check", "--log-level", "warn", "."]));

const vitestReport = path.join(reports, "vitest.json");
await step("unit + integration (vitest)", () =>
  run(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestReport}`], {
    TEST_PG_ADMIN_URL: server.adminUrl,
  }),
);
interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numFailedTestSuites: number;
  numPendingTests: number;
  numTodoTests: number;
}
tally<VitestReport>(vitestReport, (r) => ({
  passed: r.numPassedTests,
  failed: r.numFailedTests || r.numFailedTestSuites,
  skipped: r.numPendingTests + r.numTodoTests,
}));

// The benchmark's quick mode, so `npm run bench` cannot rot; its figures are for reading, not asserting.
await step("benchmark smoke (bench --quick)", () => run(bin("tsx"), ["bench/run.ts", "--quick"], { DATABASE_URL: server.adminUrl }));

await step("production build", () => run(bin("next"), ["build"]));
const built = () => results.find((r) => r.step === "production build")?.ok;

// Real `next start` processes on one database: watched and stopped across instances, kill -9, SIGTERM.
const processReport = path.join(reports, "vitest-processes.json");
await step("several server instances (vitest)", () =>
  built()
    ? run(bin("vitest"), ["run", "--config", "vitest.process.config.ts", "--reporter=default", "--reporter=json", `--outputFile.json=${processReport}`], {
        TEST_PG_ADMIN_URL: server.adminUrl,
      })
    : (console.error("skipped: the production build failed"), Promise.resolve(false)),
);
tally<VitestReport>(processReport, (r) => ({
  passed: r.numPassedTests,
  failed: r.numFailedTests || r.numFailedTestSuites,
  skipped: r.numPendingTests + r.numTodoTests,
}));

// The load test's quick mode against the build, so `npm run load` and its baselines cannot rot.
await step("load smoke (load --quick)", () =>
  built()
    ? run(bin("tsx"), ["scripts/load.ts", "--quick"], { DATABASE_URL: server.adminUrl })
    : (console.error("skipped: the production build failed"), Promise.resolve(false)),
);

const e2eDb = `tl_e2e_${randomBytes(5).toString("hex")}`;
const admin = new pg.Client({ connectionString: server.adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${e2eDb}`);
const e2eUrl = Object.assign(new URL(server.adminUrl), { pathname: `/${e2eDb}` }).toString();
const playwrightReport = path.join(reports, "playwright.json");
await step("end-to-end (playwright)", async () =>
  built()
    ? run(bin("playwright"), ["test"], {
        DATABASE_URL: e2eUrl,
        E2E_PORT: String(await freePort()),
        PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightReport,
      })
    : (console.error("skipped: the production build failed"), false),
);
interface PlaywrightReport {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
}
tally<PlaywrightReport>(playwrightReport, (r) => ({ passed: r.stats.expected, failed: r.stats.unexpected + r.stats.flaky, skipped: r.stats.skipped }));

await admin.query(`DROP DATABASE IF EXISTS ${e2eDb} WITH (FORCE)`);
await admin.end();
await server.stop();
fs.rmSync(reports, { recursive: true, force: true });

console.log("\n── summary ──");
for (const r of results) console.log(`${r.ok ? "ok  " : "FAIL"}  ${r.step} (${r.seconds.toFixed(1)} s)`);
const failedSteps = results.filter((r) => !r.ok);
// A failed typecheck, lint or build counts as one failure, so the line never reads "0 failed" on a red run.
const failedChecks = failedSteps.filter((r) => !TEST_STEPS.includes(r.step)).length;
// One line in the plain form CI reads: tests from vitest and Playwright together.
console.log(`tests: ${counts.passed} passed, ${counts.failed + failedChecks} failed, ${counts.skipped} skipped`);
process.exit(failedSteps.length ? 1 : 0);
