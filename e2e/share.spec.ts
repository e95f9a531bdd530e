import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { answerDone, ask, editMessage, lastAnswer, openEmptyConversation, signUp } from "./helpers";

const you = (page: Page) => page.getByRole("article", { name: "You" });
const optionsFor = (page: Page, title: string) => page.getByRole("button", { name: `Options for ${title}` });

async function shareDialog(page: Page, title: string) {
  await optionsFor(page, title).click();
  await page.getByRole("menuitem", { name: "Share" }).click();
  const dialog = page.getByRole("dialog", { name: "Share conversation" });
  await expect(dialog).toBeVisible();
  return dialog;
}

test("share a conversation, open it signed out, update it, continue it in another account, stop sharing: then 404 like a link that never was", async ({
  page,
  browser,
  context,
  baseURL,
}) => {
  test.setTimeout(90_000);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  const email = await signUp(page);
  await openEmptyConversation(page, "Sums");
  await ask(page, "what is 2+2?");
  await expect(lastAnswer(page)).toContainText("2+2 = 4", { timeout: 20_000 });
  await answerDone(page);

  let dialog = await shareDialog(page, "Sums");
  await dialog.getByRole("button", { name: "Create link" }).click();
  const link = dialog.getByRole("textbox", { name: "Link" });
  await expect(link).toHaveValue(/\/share\/[A-Za-z0-9_-]{22}$/);
  const url = await link.inputValue();
  await dialog.getByRole("button", { name: "Copy link" }).click();
  await expect(dialog.getByRole("status")).toHaveText("Link copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
  await dialog.getByRole("button", { name: "Close" }).click();

  // Signed out, in a browser of its own.
  const stranger = await (await browser.newContext()).newPage();
  const response = await stranger.goto(url);
  expect(response!.status()).toBe(200);
  expect(stranger.url()).toBe(url);
  expect(response!.headers()["x-robots-tag"]).toBe("noindex, nofollow");
  await expect(stranger.locator('meta[name="robots"]')).toHaveAttribute("content", "noindex, nofollow");
  await expect(stranger.getByRole("heading", { name: "Sums" })).toBeVisible();
  await expect(you(stranger)).toHaveText(["what is 2+2?"]);
  await expect(stranger.getByRole("article", { name: "Assistant" })).toContainText("2+2 = 4");
  expect(await stranger.content()).not.toContain(email);
  await expect(stranger.getByRole("button", { name: "Edit" })).toHaveCount(0);
  await expect(stranger.getByRole("link", { name: "Sign in to continue this conversation" })).toBeVisible();

  // The owner edits: the link shows the old branch until "Update link".
  await editMessage(page, "what is 5+5?", "5+5 = 10");
  await stranger.reload();
  await expect(you(stranger)).toHaveText(["what is 2+2?"]);
  dialog = await shareDialog(page, "Sums");
  await dialog.getByRole("button", { name: "Update link" }).click();
  await expect(dialog.getByRole("status")).toHaveText("The link now shows the conversation as it is");
  await expect(link).toHaveValue(url);
  await dialog.getByRole("button", { name: "Close" }).click();
  await stranger.reload();
  await expect(you(stranger)).toHaveText(["what is 5+5?"]);

  // Someone signed in copies it into their own account and goes on with it.
  const viewer = await (await browser.newContext()).newPage();
  await signUp(viewer);
  await viewer.goto(url);
  await viewer.getByRole("button", { name: "Continue in my account" }).click();
  await viewer.waitForURL(/\/c\/[0-9a-f-]{36}$/);
  await expect(you(viewer)).toHaveText(["what is 5+5?"]);
  await ask(viewer, "what is 3*3?");
  await expect(lastAnswer(viewer)).toContainText("3*3 = 9", { timeout: 20_000 });
  await answerDone(viewer);
  await expect(viewer.getByRole("navigation", { name: "Conversations" }).getByRole("link", { name: "Sums" })).toBeVisible();

  // Settings lists the link; stopping it there ends it.
  await page.getByRole("link", { name: "Account" }).click();
  const links = page.getByRole("list", { name: "Shared links" });
  await expect(links.getByRole("link", { name: "Sums" })).toHaveAttribute("href", new URL(url).pathname);
  await links.getByRole("button", { name: "Stop sharing Sums" }).click();
  await expect(page.getByText("You are not sharing any conversation.")).toBeVisible();

  const stopped = await stranger.reload();
  const never = await (await browser.newContext()).newPage();
  const missing = await never.goto(url.replace(/[A-Za-z0-9_-]{22}$/, "AAAAAAAAAAAAAAAAAAAAAA"));
  expect([stopped!.status(), missing!.status()]).toEqual([404, 404]);
  await expect(stranger.getByRole("heading", { name: "Conversation not found" })).toBeVisible();
  expect(await stranger.locator("body").innerText()).toBe(await never.locator("body").innerText());
  expect(await stranger.title()).toBe(await never.title());
  // The copy is the viewer's own: it stays.
  await viewer.reload();
  await expect(you(viewer)).toHaveText(["what is 5+5?", "what is 3*3?"]);
});

test("export a conversation as JSON and Markdown, import the JSON back: the same branches, switchable; ChatGPT's export and a bad file too", async ({
  page,
}) => {
  test.setTimeout(90_000);
  await signUp(page);
  await openEmptyConversation(page, "Branchy");
  await ask(page, "what is 2+2?");
  await expect(lastAnswer(page)).toContainText("2+2 = 4", { timeout: 20_000 });
  await answerDone(page);
  await editMessage(page, "what is 5+5?", "5+5 = 10");

  await optionsFor(page, "Branchy").click();
  const markdown = page.waitForEvent("download");
  await page.getByRole("menuitem", { name: "Export as Markdown" }).click();
  const md = await markdown;
  expect(md.suggestedFilename()).toBe("threadline-Branchy.md");
  const mdText = readFileSync(await md.path(), "utf8");
  expect(mdText).toContain("# Branchy");
  expect(mdText).toContain("what is 5+5?");
  expect(mdText).not.toContain("what is 2+2?");

  await optionsFor(page, "Branchy").click();
  const json = page.waitForEvent("download");
  await page.getByRole("menuitem", { name: "Export as JSON" }).click();
  const file = await (await json).path();
  expect(JSON.parse(readFileSync(file, "utf8")).conversation.messages).toHaveLength(4);

  await page.getByRole("link", { name: "Account" }).click();
  // A file input is a button named by its label.
  const input = page.getByRole("button", { name: "Import conversations" });
  await input.setInputFiles(file);
  await expect(page.getByRole("status").filter({ hasText: "Imported 1 conversation." })).toBeVisible();
  await page.getByRole("status").getByRole("link", { name: "Branchy" }).click();
  await page.waitForURL(/\/c\//);
  await expect(you(page)).toHaveText(["what is 5+5?"]);
  await expect(page.getByRole("group", { name: "Versions" })).toContainText("2 / 2");
  await page.getByRole("button", { name: "Previous version" }).click();
  await expect(you(page)).toHaveText(["what is 2+2?"]);
  await expect(lastAnswer(page)).toContainText("2+2 = 4");
  await page.reload();
  await expect(you(page)).toHaveText(["what is 2+2?"]);

  await page.getByRole("link", { name: "Account" }).click();
  await input.setInputFiles(path.join(process.cwd(), "server/transfer/fixtures/chatgpt-conversations.json"));
  await expect(page.getByRole("status").filter({ hasText: "Imported 2 conversations." })).toBeVisible();
  await input.setInputFiles({ name: "notes.json", mimeType: "application/json", buffer: Buffer.from("this is not json") });
  await expect(page.getByRole("region", { name: "Import conversations" }).getByRole("alert")).toHaveText(
    "The file is not JSON: choose a Threadline export (.json) or ChatGPT's conversations.json",
  );
  await expect(page.getByRole("navigation", { name: "Conversations" }).getByRole("link")).toHaveText(["Quick maths", "Trip to Lisbon", "Branchy", "Branchy"]);

  const everything = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export all data" }).click();
  const all = JSON.parse(readFileSync(await (await everything).path(), "utf8"));
  expect(all.conversations.map((c: { title: string }) => c.title)).toEqual(["Quick maths", "Trip to Lisbon", "Branchy", "Branchy"]);
});
