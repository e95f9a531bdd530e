import { expect, test } from "@playwright/test";
import { answerDone, ask, composer, lastAnswer, openEmptyConversation, PASSWORD, signUp } from "./helpers";

test("a message over the rate limit is refused with when to try again, and its text stays in the composer", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  for (let i = 1; i <= 6; i++) {
    await ask(page, `what is ${i}+${i}?`);
    await expect(lastAnswer(page)).toContainText(`${i}+${i} = ${2 * i}`, { timeout: 20_000 });
    await answerDone(page);
  }
  await ask(page, "what is 7+7?");
  await expect(page.getByRole("region", { name: "Messages" }).getByRole("alert")).toHaveText(
    /You're sending messages too quickly\. Try again in \d+ seconds?\./,
  );
  await expect(composer(page)).toHaveValue("what is 7+7?");
  await expect(page.getByRole("article", { name: "You" })).toHaveCount(6);
});

test("ten wrong passwords for one email are stopped with a clear message, even with the right one", async ({ page }) => {
  const email = await signUp(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Threadline" })).toBeVisible();
  const attempt = async (password: string) => {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await expect(page.getByLabel("Password")).toHaveValue(password);
    // One attempt at a time: wait for the form's server action to answer, and for React to reset
    // the form after it (a reset landing on the next attempt's typing would send it empty).
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/sign-in"),
      page.getByRole("button", { name: "Sign in" }).click(),
    ]);
    await expect(page.getByLabel("Password")).toHaveValue("");
  };
  // Only failures count (the sign-up's own sign-in did not): ten are allowed from one address.
  for (let i = 0; i < 10; i++) {
    await attempt(`wrong-password-${i}`);
    await expect(page.getByText("Wrong email or password.")).toBeVisible();
  }
  await attempt(PASSWORD);
  await expect(page.getByText(/^Too many sign-in attempts\. Try again in \d+ (seconds?|minutes?)\.$/)).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
});
