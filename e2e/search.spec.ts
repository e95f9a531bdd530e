import { expect, type Page, test } from "@playwright/test";
import { answerDone, ask, lastAnswer, openEmptyConversation, signUp } from "./helpers";

const you = (page: Page) => page.getByRole("article", { name: "You" });
const searchbox = (page: Page) => page.getByRole("searchbox", { name: "Search conversations" });
const results = (page: Page) => page.getByRole("list", { name: "Search results" });
/** The message the page was opened at, highlighted. */
const hit = (page: Page) => page.locator("[data-search-hit]");

test("search finds a word from an older conversation and opens it there, at that message, highlighted", async ({ page }) => {
  test.setTimeout(90_000);
  await signUp(page);
  const older = await openEmptyConversation(page);
  // The offline model's long introduction answers each of these: the first message ends up far above the end.
  const questions = ["tell me about the axolotl", "what else can you do?", "and one more thing"];
  for (const [i, text] of questions.entries()) {
    await ask(page, text);
    await expect(page.getByRole("article", { name: "Assistant" })).toHaveCount(i + 1);
    await answerDone(page);
  }
  await page.reload();
  await expect(you(page)).toHaveCount(3);
  await expect(you(page).first()).not.toBeInViewport();

  await openEmptyConversation(page);
  await ask(page, "what is 2+2?");
  await expect(lastAnswer(page)).toContainText("2+2 = 4", { timeout: 20_000 });
  await answerDone(page);

  await page.keyboard.press("Control+k");
  await expect(searchbox(page)).toBeFocused();
  await page.keyboard.type("axolotl");
  // The conversation's title (made from its first message) matches, and so does the message itself.
  const message = results(page).locator('a[href*="?m="]');
  await expect(message).toHaveCount(1);
  await expect(message).toContainText("tell me about the axolotl");
  await expect(message.locator("mark")).toHaveText(["axolotl", "axolotl"]);
  await expect(message.locator("time")).toBeVisible();
  await expect(results(page).getByRole("link")).toHaveCount(2);

  await message.click();
  await expect(page).toHaveURL(new RegExp(`/c/${older}\\?m=`));
  await expect(hit(page)).toHaveCount(1);
  await expect(hit(page)).toContainText("tell me about the axolotl");
  await expect(hit(page)).toBeInViewport();
});

test("search finds a message on another branch and switches to that branch", async ({ page }) => {
  test.setTimeout(60_000);
  await signUp(page);
  const id = await openEmptyConversation(page);
  await ask(page, "what is 2+2, asks the wombat");
  await expect(lastAnswer(page)).toContainText("2+2 = 4", { timeout: 20_000 });
  await answerDone(page);
  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Edited message").fill("what is 5+5, asks the numbat");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(lastAnswer(page)).toContainText("5+5 = 10", { timeout: 20_000 });
  await answerDone(page);
  await expect(you(page)).toHaveText(["what is 5+5, asks the numbat"]);

  await searchbox(page).fill("wombat");
  const message = results(page).locator('a[href*="?m="]');
  await expect(message).toHaveCount(1);
  await expect(message.locator("mark")).toHaveText(["wombat", "wombat"]);
  await message.click();

  await expect(page).toHaveURL(new RegExp(`/c/${id}\\?m=`));
  await expect(you(page)).toHaveText(["what is 2+2, asks the wombat"]);
  await expect(lastAnswer(page)).toContainText("2+2 = 4");
  await expect(page.getByRole("group", { name: "Versions" })).toContainText("1 / 2");
  await expect(hit(page)).toContainText("what is 2+2, asks the wombat");
  // The branch stays chosen: a reload shows it as well.
  await page.reload();
  await expect(you(page)).toHaveText(["what is 2+2, asks the wombat"]);
});
