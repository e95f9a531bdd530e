import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // The marker package throws outside React Server Components; tests call server modules directly.
      "server-only": path.resolve(import.meta.dirname, "scripts/testing/server-only-stub.ts"),
      // next-auth imports "next/server" without an extension, which Node's ESM resolution (unlike Next's) refuses.
      "next/server": "next/server.js",
    },
  },
  test: {
    environment: "node",
    // Bundled by Vite, so the "next/server" alias above applies inside it.
    server: { deps: { inline: ["next-auth"] } },
    // Tests send more messages and start more conversations a minute than a person; the limits have tests of their own.
    env: { MESSAGE_RATE_PER_MINUTE: "0", MESSAGE_RATE_PER_HOUR: "0", THREAD_RATE_PER_MINUTE: "0", THREAD_RATE_PER_HOUR: "0", LOG_QUIET: "1" },
    globals: true,
    include: ["{db,server,scripts,app,bench,lib}/**/*.test.{ts,tsx}"],
    // Tests that start real server processes need the production build: npm test runs them after it.
    exclude: ["**/node_modules/**", "**/*.process.test.ts"],
    globalSetup: ["scripts/testing/vitest-global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
