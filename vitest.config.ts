import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // The marker package throws outside React Server Components; tests call server modules directly.
      "server-only": path.resolve(import.meta.dirname, "scripts/testing/server-only-stub.ts"),
    },
  },
  test: {
    environment: "node",
    globals: true,
    include: ["{db,server,scripts,app}/**/*.test.{ts,tsx}"],
    // Tests that start real server processes need the production build: npm test runs them after it.
    exclude: ["**/node_modules/**", "**/*.process.test.ts"],
    globalSetup: ["scripts/testing/vitest-global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
