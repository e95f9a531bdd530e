import type { TestProject } from "vitest/node";
import { startTestPostgres } from "./postgres-server";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

// `npm test` hands us its server; `npx vitest` alone starts one.
export default async function setup(project: TestProject) {
  const given = process.env.TEST_PG_ADMIN_URL;
  const server = given ? { adminUrl: given, stop: async () => {} } : await startTestPostgres();
  project.provide("pgAdminUrl", server.adminUrl);
  return () => server.stop();
}
