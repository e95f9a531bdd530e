import { defineConfig } from "drizzle-kit";

// Only the app's own tables: LangGraph's checkpoint tables live in the `langgraph`
// schema and are managed by the checkpointer, so drizzle-kit must never diff them.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema.ts",
  out: "./db/migrations",
  schemaFilter: ["public"],
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://localhost/threadline" },
});
