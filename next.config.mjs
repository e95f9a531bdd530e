/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Loaded by Node, not bundled: then every route and page shares one copy of each. LangChain's
  // message classes in particular must be one copy, because the agent (cached on globalThis) is built
  // by whichever entry runs first and its messages are checked with `isInstance` by the others.
  serverExternalPackages: [
    "pg",
    "bcryptjs",
    "@langchain/core",
    "@langchain/langgraph",
    "@langchain/langgraph-checkpoint",
    "@langchain/langgraph-checkpoint-postgres",
    "@langchain/openai",
    "@langchain/anthropic",
    "@langchain/ollama",
  ],
};

export default nextConfig;
