import { expect, test } from "@playwright/test";
import { answerDone, ask, openEmptyConversation, signUp } from "./helpers";

test("Good answer and Bad answer, with a comment, survive a reload; changing the choice and taking it back too", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  await ask(page, "what is 12*7?");
  await answerDone(page);
  await ask(page, "what is 2+2?");
  await answerDone(page);
  const good = page.getByRole("button", { name: "Good answer" });
  const bad = page.getByRole("button", { name: "Bad answer" });
  await expect(good).toHaveCount(2);

  await good.first().click();
  await expect(good.first()).toHaveAttribute("aria-pressed", "true");
  await bad.last().click();
  const form = page.getByRole("form", { name: "What was wrong with this answer?" });
  await form.getByLabel("What was wrong with this answer? (optional)").fill("It should show the working.");
  await form.getByRole("button", { name: "Send feedback" }).click();
  await expect(form).toHaveCount(0);

  await page.reload();
  await expect(good.first()).toHaveAttribute("aria-pressed", "true");
  await expect(bad.first()).toHaveAttribute("aria-pressed", "false");
  await expect(bad.last()).toHaveAttribute("aria-pressed", "true");
  await expect(good.last()).toHaveAttribute("aria-pressed", "false");

  // Changed to bad without a comment (Skip), and the second taken back.
  await bad.first().click();
  await page.getByRole("form", { name: "What was wrong with this answer?" }).getByRole("button", { name: "Skip" }).click();
  await expect(bad.first()).toHaveAttribute("aria-pressed", "true");
  await bad.last().click();
  await expect(bad.last()).toHaveAttribute("aria-pressed", "false");
  await page.reload();
  await expect(bad.first()).toHaveAttribute("aria-pressed", "true");
  await expect(good.first()).toHaveAttribute("aria-pressed", "false");
  await expect(bad.last()).toHaveAttribute("aria-pressed", "false");
  await expect(good.last()).toHaveAttribute("aria-pressed", "false");
});
