import { expect, type Page, test } from "@playwright/test";
import { answerDone, ask, lastAnswer, openEmptyConversation, signUp } from "./helpers";

const you = (page: Page) => page.getByRole("article", { name: "You" });
const version = (page: Page) => page.getByRole("group", { name: "Versions" });

test("edit a message into a new branch, switch back and forth, and a reload keeps the choice", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  await ask(page, "what is 2+2?");
  await expect(lastAnswer(page)).toContainText("2+2 = 4", { timeout: 20_000 });
  await answerDone(page);

  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Edited message").fill("what is 5+5?");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(lastAnswer(page)).toContainText("5+5 = 10", { timeout: 20_000 });
  await answerDone(page);
  await expect(you(page)).toHaveText(["what is 5+5?"]);
  await expect(version(page)).toContainText("2 / 2");

  await page.getByRole("button", { name: "Previous version" }).click();
  await expect(you(page)).toHaveText(["what is 2+2?"]);
  await expect(lastAnswer(page)).toContainText("2+2 = 4");
  await expect(version(page)).toContainText("1 / 2");

  await page.reload();
  await expect(you(page)).toHaveText(["what is 2+2?"]);
  await expect(version(page)).toContainText("1 / 2");

  await page.getByRole("button", { name: "Next version" }).click();
  await expect(you(page)).toHaveText(["what is 5+5?"]);
  await expect(lastAnswer(page)).toContainText("5+5 = 10");

  // A new message continues the branch shown.
  await ask(page, "what is 3*3?");
  await expect(lastAnswer(page)).toContainText("3*3 = 9", { timeout: 20_000 });
  await answerDone(page);
  await page.reload();
  await expect(you(page)).toHaveText(["what is 5+5?", "what is 3*3?"]);
});

test("regenerate twice gives three versions of the answer: 3 / 3", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  await ask(page, "what is 12*7?");
  await expect(lastAnswer(page)).toContainText("12*7 = 84", { timeout: 20_000 });
  await answerDone(page);
  for (const expected of ["2 / 2", "3 / 3"]) {
    await page.getByRole("button", { name: "Regenerate" }).click();
    await expect(version(page)).toContainText(expected, { timeout: 20_000 });
    await answerDone(page);
  }
  await expect(you(page)).toHaveText(["what is 12*7?"]);
  await expect(page.getByRole("article", { name: "Assistant" })).toHaveCount(1);
  await page.getByRole("button", { name: "Previous version" }).click();
  await expect(version(page)).toContainText("2 / 3");
});
