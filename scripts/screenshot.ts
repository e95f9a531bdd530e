/**
 * Refreshes docs/screenshot.png from a running app: `BASE_URL=http://localhost:3000 npx tsx scripts/screenshot.ts`.
 * It signs up a throwaway user, names a few chats and has one conversation, through the real UI:
 * an answer with a tool call, regenerated once, and an action waiting for approval (docs/screenshot.png);
 * then, that memory approved, the Memory page (docs/memory.png), a search (docs/search.png), the
 * conversation in the dark theme (docs/dark.png), and on a phone (docs/phone.png).
 */
import { randomUUID } from "node:crypto";
import { chromium } from "@playwright/test";
import { browserPath } from "./lib/browser";

const base = process.env.BASE_URL ?? "http://localhost:3000";
const browser = await chromium.launch({
  executablePath: browserPath(),
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1200, height: 720 } });
await page.goto(`${base}/sign-up`);
await page.getByLabel("Email").fill(`ada-${randomUUID().slice(0, 8)}@example.com`);
await page.getByLabel("Password").fill("correct-horse-42");
await page.getByRole("button", { name: "Sign up" }).click();
await page.getByRole("textbox", { name: "Message" }).waitFor();

// A few named chats, made as an API client makes them (New chat itself creates nothing until a first message).
for (const title of ["Trip to Lisbon", "Postgres index tuning"]) {
  const res = await page.request.post(`${base}/api/trpc/thread.create`, { data: { json: { title } } });
  if (!res.ok()) throw new Error(`thread.create: ${res.status()}`);
}
await page.reload();
await page.getByRole("link", { name: "Postgres index tuning" }).waitFor();
// A conversation with a tool call and a Markdown answer, regenerated once (so it shows "2 / 2"), and
// then an action waiting for approval.
await page.getByRole("button", { name: "New chat", exact: true }).click();
const composer = page.getByRole("textbox", { name: "Message" });
const answered = () => page.getByRole("button", { name: "Stop" }).waitFor({ state: "detached", timeout: 30_000 });
await composer.fill("what is (1234 + 766) * 3?");
await page.keyboard.press("Enter");
await page.waitForURL(/\/c\//);
await page.getByRole("article", { name: "Assistant" }).first().waitFor();
await answered();
await page.getByRole("button", { name: "Regenerate" }).click();
await page.getByRole("group", { name: "Versions" }).waitFor();
await answered();
await composer.fill("Remember that the spare key is under the mat");
await page.keyboard.press("Enter");
await page.getByRole("region", { name: "Approve remember" }).waitFor({ timeout: 30_000 });
await page.screenshot({ path: "docs/screenshot.png" });
const conversation = page.url();

await page.getByRole("button", { name: "Approve" }).click();
await answered();
await page.getByRole("link", { name: "Memory" }).click();
await page.getByRole("heading", { name: "Memory" }).waitFor();
await page.getByText("the spare key is under the mat").waitFor();
await page.screenshot({ path: "docs/memory.png" });

await page.keyboard.press("Control+k");
await page.keyboard.type("spare key");
await page.getByRole("list", { name: "Search results" }).getByRole("link").first().waitFor();
await page.screenshot({ path: "docs/search.png" });

// The conversation again, in the dark theme (docs/dark.png).
await page.goto(conversation);
await page.getByRole("combobox", { name: "Theme" }).selectOption({ label: "Dark" });
await page.locator("html[data-theme=dark]").waitFor({ state: "attached" });
await page.getByRole("article", { name: "Assistant" }).first().waitFor();
await page.screenshot({ path: "docs/dark.png" });

// On a phone, in the light theme (docs/phone.png): the sidebar is a drawer behind the menu button.
await page.getByRole("combobox", { name: "Theme" }).selectOption({ label: "Light" });
await page.setViewportSize({ width: 390, height: 780 });
await page.reload();
await page.getByRole("article", { name: "Assistant" }).first().waitFor();
await page.screenshot({ path: "docs/phone.png" });
await browser.close();
