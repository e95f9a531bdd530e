/**
 * Several agents and a model per conversation, from a threadline.config.json of the test's own
 * (THREADLINE_CONFIG) on a `next start` of its own: two offline models with their own labels, the
 * MCP fixture over stdio, and an MCP server that is down. On a database of its own.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { type Browser, expect, type Page, test } from "@playwright/test";
import pg from "pg";
import { migrateWithCli } from "../scripts/testing/migrate-cli";
import { type Server, startServer } from "../scripts/testing/servers";
import { answerDone, ask, expectAccessible, lastAnswer, sidebar, signUp } from "./helpers";

test.describe.configure({ mode: "serial" });

let admin: pg.Client;
let dbName: string;
let server: Server;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "threadline-agents-"));
const fixtureLog = path.join(dir, "fixture.log");

const CONFIG = {
  models: [
    { id: "fast", provider: "offline", label: "Fast offline" },
    { id: "careful", provider: "offline", label: "Careful offline" },
  ],
  mcpServers: [
    {
      id: "fx",
      stdio: { command: process.execPath, args: ["--import", "tsx", "scripts/testing/mcp-fixture.ts"], env: ["FIXTURE_LOG"], cwd: process.cwd() },
    },
    // Nothing listens there: its tool is unavailable, and the header says so.
    { id: "down", http: { url: "http://127.0.0.1:9/mcp" }, timeoutMs: 500 },
  ],
  agents: [
    { id: "helper", name: "Helper", description: "Calculates.", model: "fast", models: ["fast", "careful"], tools: ["calculator", "mcp:down/lookup"] },
    { id: "tinkerer", name: "Tinkerer", description: "Writes through the fixture server.", model: "fast", tools: ["mcp:fx/write"], memory: false },
  ],
};

test.beforeAll(async () => {
  test.setTimeout(180_000);
  admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  dbName = `tl_e2e_agents_${randomBytes(5).toString("hex")}`;
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = Object.assign(new URL(process.env.DATABASE_URL!), { pathname: `/${dbName}` }).toString();
  await migrateWithCli(url);
  const file = path.join(dir, "threadline.config.json");
  fs.writeFileSync(file, JSON.stringify(CONFIG));
  server = await startServer(url, { THREADLINE_CONFIG: file, FIXTURE_LOG: fixtureLog, OFFLINE_MODEL_DELAY_MS: "20", SIGNUP_ATTEMPTS_PER_IP: "1000" });
});

test.afterAll(async () => {
  await server?.stop();
  if (dbName) await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin?.end();
});

async function onServer(browser: Browser, theme: "light" | "dark" = "light"): Promise<Page> {
  const context = await browser.newContext({ baseURL: server.url });
  await context.addCookies([{ name: "theme", value: theme, url: server.url }]);
  const page = await context.newPage();
  await signUp(page);
  return page;
}

test("a new chat picks its agent, whose MCP tool call is approved and runs once", async ({ browser }) => {
  // In the dark theme: the agent marks and choices must read in both.
  const page = await onServer(browser, "dark");
  const agents = page.getByRole("radiogroup", { name: "Agent" });
  await expect(agents.getByRole("radio", { name: /Helper/ })).toBeChecked();
  await expect(agents).toContainText("Writes through the fixture server.");
  await expect(agents).toContainText("fx/write");
  await expectAccessible(page, "a new chat with the Agent choice");
  await agents.getByRole("radio", { name: /Tinkerer/ }).check();
  await ask(page, "use write with hello from the browser");
  await expect(page).toHaveURL(/\/c\//);
  const card = page.getByRole("region", { name: "Approve fx__write" });
  await card.getByRole("button", { name: "Approve" }).click();
  await answerDone(page);
  await expect(lastAnswer(page)).toContainText("wrote hello from the browser");
  await expect
    .poll(
      () =>
        fs
          .readFileSync(fixtureLog, "utf8")
          .split("\n")
          .filter((l) => l === "write:hello from the browser").length,
    )
    .toBe(1);
  // The conversation is the Tinkerer's: marked in the sidebar and in the header, after a reload too.
  await page.reload();
  await expect(sidebar(page).getByRole("link", { name: /Tinkerer/ })).toHaveCount(1);
  await expect(page.getByRole("main").getByText("Tinkerer", { exact: true })).toBeVisible();
  await expectAccessible(page, "a Tinkerer conversation, dark theme");
});

test("the Model combobox switches the next answer's model, each answer names its model on hover, and the header names tools that are down", async ({
  browser,
}) => {
  const page = await onServer(browser);
  await ask(page, "what is 2+2?");
  await answerDone(page);
  await expect(lastAnswer(page)).toHaveAttribute("title", "Written by Fast offline");
  await expect(page.getByRole("status").filter({ hasText: "Unavailable right now" })).toHaveText("Unavailable right now: down/lookup");
  const model = page.getByRole("combobox", { name: "Model" });
  await expect(model).toHaveValue("fast");
  await expectAccessible(page, "a conversation with the Model choice");
  await model.selectOption({ label: "Careful offline" });
  await expect(model).toHaveValue("careful");
  await ask(page, "what is 3+3?");
  await answerDone(page);
  await expect(lastAnswer(page)).toHaveAttribute("title", "Written by Careful offline");
  await expect(lastAnswer(page)).toHaveAccessibleDescription("Written by Careful offline");
  const answers = page.getByRole("article", { name: "Assistant" });
  await expect(answers.first()).toHaveAttribute("title", "Written by Fast offline");
  // Saved on the conversation: a reload keeps the choice and each answer's model.
  await page.reload();
  await expect(page.getByRole("combobox", { name: "Model" })).toHaveValue("careful");
  await expect(answers).toHaveCount(2);
  await expect(answers.last()).toHaveAttribute("title", "Written by Careful offline");
  // The default agent's conversation carries no agent mark in the sidebar.
  await expect(sidebar(page).getByText("Helper")).toHaveCount(0);
});
