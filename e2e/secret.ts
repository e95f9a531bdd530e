/** The secret the e2e server signs cookies with: playwright.config.ts gives it to the server, tests decode with it. */
export const E2E_AUTH_SECRET = process.env.AUTH_SECRET ?? "e2e-secret-e2e-secret-e2e-secret-e2e";
