import { defineConfig } from "vitest/config";
import base from "./vitest.config.ts";

// Real server processes (next start) on the production build: run after `next build`.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["**/*.process.test.ts"],
    exclude: ["**/node_modules/**"],
    setupFiles: ["scripts/testing/server-logs-on-failure.ts"],
    testTimeout: 60_000,
    fileParallelism: false,
  },
});
