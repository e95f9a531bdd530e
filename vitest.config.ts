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
    globalSetup: ["scripts/testing/vitest-global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
