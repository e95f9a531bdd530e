/**
 * The database goes away while someone is using the app: a PostgreSQL of this file's own, really
 * stopped and started again under a `next start` server.
 */
import { type BrowserContext, expect, test } from "@playwright/test";
import { migrateWithCli } from "../scripts/testing/migrate-cli";
import { type Server, startServer } from "../scripts/testing/servers";
import { startStoppablePostgres, type StoppablePostgres } from "../scripts/testing/stoppable-postgres";
import { answerDone, ask, composer, lastAnswer, signUp } from "./helpers";

test.describe.configure({ mode: "serial" });

let pg: StoppablePostgres;
let server: Server;
let context: BrowserContext | undefined;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  pg = await startStoppablePostgres();
  await migrateWithCli(pg.url);
  server = await startServer(pg.url, { OFFLINE_MODEL_DELAY_MS: "40" });
});

test.afterAll(async () => {
  await context?.close();
  await server?.stop();
  await pg?.start().catch(() => undefined);
  await pg?.dispose();
});

test("while the database is down: a banner says so, the message stays in the box, and all recovers by itself", async ({ browser }) => {
  test.setTimeout(90_000);
  context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  await signUp(page);
  await ask(page, "what is 12*7?");
  await answerDone(page);
  await expect(lastAnswer(page)).toContainText("84");

  await pg.stop();
  const banner = page.getByRole("alert").filter({ hasText: "this clears by itself when it is back" });
  await ask(page, "are you still there?");
  await expect(banner).toBeVisible();
  // Refused, not lost: the text is back in the composer, to send again.
  await expect(composer(page)).toHaveValue("are you still there?");
  await expect(page.getByText("Threadline can't reach its database right now. Try again in a moment.")).toBeVisible();

  await pg.start();
  await expect(banner).toBeHidden({ timeout: 20_000 });
  await composer(page).press("Enter");
  await answerDone(page);
  await expect(lastAnswer(page)).toContainText("offline demo model");
  await expect(page.getByRole("article", { name: "You" })).toHaveCount(2);
  await page.reload();
  await expect(page.getByRole("article", { name: "You" })).toHaveCount(2);
});
