/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The container image (Dockerfile) builds with BUILD_STANDALONE=1: a self-contained server.js with
  // only the node_modules it needs. Off otherwise, where `next start` serves (it warns on standalone).
  ...(process.env.BUILD_STANDALONE === "1" && { output: "standalone" }),
  // Loaded by Node, not bundled: then every route and page shares one copy of each. LangChain's
  // message classes in particular must be one copy, because the agent (cached on globalThis) is built
  // by whichever entry runs first and its messages are checked with `isInstance` by the others.
  // For every response, API routes included. Pages also get a Content-Security-Policy with a nonce
  // (proxy.ts), which carries frame-ancestors 'none'.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
      // Shared conversations are public but not for search engines (the page says so in a meta tag too).
      { source: "/share/:path*", headers: [{ key: "X-Robots-Tag", value: "noindex, nofollow" }] },
    ];
  },
  serverExternalPackages: [
    "pg",
    "bcryptjs",
    "pino",
    "pino-pretty",
    "prom-client",
    "@opentelemetry/api",
    "@opentelemetry/sdk-trace-node",
    "@opentelemetry/sdk-trace-base",
    "@opentelemetry/exporter-trace-otlp-http",
    "@opentelemetry/resources",
    "@langchain/core",
    "@langchain/langgraph",
    "@langchain/langgraph-checkpoint",
    "@langchain/langgraph-checkpoint-postgres",
    "@langchain/mcp-adapters",
    "@modelcontextprotocol/sdk",
    "@langchain/openai",
    "@langchain/anthropic",
    "@langchain/ollama",
  ],
};

export default nextConfig;
