/**
 * Refreshes docs/screenshot.png from a running app: `BASE_URL=http://localhost:3000 npx tsx scripts/screenshot.ts`.
 * It signs up a throwaway user and names a few chats, through the real UI.
 */
import { randomUUID } from "node:crypto";
import { chromium } from "@playwright/test";

const base = process.env.BASE_URL ?? "http://localhost:3000";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1200, height: 720 } });
await page.goto(`${base}/sign-up`);
await page.getByLabel("Email").fill(`ada-${randomUUID().slice(0, 8)}@example.com`);
await page.getByLabel("Password").fill("correct-horse-42");
await page.getByRole("button", { name: "Sign up" }).click();
await page.getByRole("textbox", { name: "Message" }).waitFor();

for (const title of ["Trip to Lisbon", "Postgres index tuning", "Birthday gift ideas"]) {
  await page.getByRole("button", { name: "New chat", exact: true }).click();
  await page.waitForURL(/\/c\//);
  await page.getByRole("button", { name: "Options for New chat" }).click();
  await page.getByRole("menuitem", { name: "Rename" }).click();
  await page.getByRole("textbox", { name: "Conversation title" }).fill(title);
  await page.keyboard.press("Enter");
  await page.getByRole("link", { name: title }).waitFor();
}
await page.screenshot({ path: "docs/screenshot.png" });
await browser.close();
