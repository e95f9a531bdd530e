import os from "node:os";
import path from "node:path";
import { defineConfig, devices, type ReporterDescription } from "@playwright/test";
import { E2E_AUTH_SECRET } from "./e2e/secret";
import { browserPath } from "./scripts/lib/browser";

const chromium = browserPath();
if (!process.env.DATABASE_URL) {
  throw new Error("End-to-end tests need a scratch database: run them with `npm test`, or set DATABASE_URL to a database they may fill.");
}

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
// The port is unique per `npm test` run, so concurrent runs keep separate logs.
const serverLog = path.join(os.tmpdir(), `threadline-e2e-server-${port}.log`);

export default defineConfig({
  testDir: "e2e",
  fullyParallel: true,
  workers: process.env.CI ? 2 : undefined,
  forbidOnly: true,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [
    ["list"],
    // `npm test` counts results from the JSON report it names.
    ...(process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [["json"] as ReporterDescription] : []),
    ["./e2e/server-log-reporter.ts", { file: serverLog }],
  ],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromium,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  // The production build, started the way an operator starts it (migrations included), on loopback
  // only. Its output goes to a file that e2e/server-log-reporter.ts prints when the run fails.
  webServer: {
    command: `node node_modules/tsx/dist/cli.mjs scripts/serve.ts start > "${serverLog}" 2>&1`,
    url: `${baseURL}/sign-in`,
    reuseExistingServer: false,
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
    timeout: 120_000,
    env: {
      PORT: String(port),
      HOST: "127.0.0.1",
      AUTH_SECRET: E2E_AUTH_SECRET,
      // The offline model, paced so that streaming, Stop and reloads mid-answer can be seen.
      OFFLINE_MODEL_DELAY_MS: "40",
      // Low enough for e2e/limits.spec.ts to reach; every other test's user sends fewer.
      MESSAGE_RATE_PER_MINUTE: "6",
      // Every test signs up from 127.0.0.1; the sign-in limits (failures only) stay at their defaults.
      SIGNUP_ATTEMPTS_PER_IP: "1000",
      // Tests sign up in parallel, one bcrypt hash and one compare each: a longer line than a
      // server's default keeps a burst of them from reading "busy".
      PASSWORD_HASH_QUEUE: "100",
      OPENAI_API_KEY: "",
      OPENAI_BASE_URL: "",
      ANTHROPIC_API_KEY: "",
      OLLAMA_BASE_URL: "",
    },
  },
});
