import { expect, type Page, test } from "@playwright/test";
import { answerDone, ask, composer, openEmptyConversation, PASSWORD, sidebar, signIn, signUp } from "./helpers";

test.describe.configure({ timeout: 60_000 });

async function openAccount(page: Page) {
  await page.getByRole("link", { name: "Account", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Account", level: 1 })).toBeVisible();
}

test("Sign out everywhere ends the session of a second browser too", async ({ page, browser, baseURL }) => {
  const email = await signUp(page);
  const other = await browser.newContext({ baseURL });
  const second = await other.newPage();
  await signIn(second, email);

  await openAccount(page);
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await page.getByRole("dialog", { name: "Sign out everywhere?" }).getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  // The other browser's next page load finds its session ended.
  await second.goto("/");
  await expect(second).toHaveURL(/\/sign-in/);
  await expect(second.getByRole("heading", { name: "Sign in to Threadline" })).toBeVisible();
  await other.close();
});

test("Change password asks for the current one; the new one signs in", async ({ page, browser, baseURL }) => {
  const email = await signUp(page);
  await openAccount(page);
  const section = page.getByRole("region", { name: "Password" });
  await section.getByLabel("Current password").fill("not-my-password");
  await section.getByLabel("New password").fill("a-new-secret-99");
  await section.getByRole("button", { name: "Change password" }).click();
  await expect(section.getByRole("alert")).toHaveText("Your current password is not right");
  await section.getByLabel("Current password").fill(PASSWORD);
  await section.getByLabel("New password").fill("a-new-secret-99");
  await section.getByRole("button", { name: "Change password" }).click();
  await expect(section.getByRole("status")).toHaveText("Password changed. Your other devices are signed out.");
  // This browser stays signed in.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Account", level: 1 })).toBeVisible();

  // Another browser signs in with the new password.
  const fresh = await (await browser.newContext({ baseURL })).newPage();
  await fresh.goto("/sign-in");
  await fresh.getByLabel("Email").fill(email);
  await fresh.getByLabel("Password").fill("a-new-secret-99");
  await fresh.getByRole("button", { name: "Sign in" }).click();
  await expect(composer(fresh)).toBeVisible();
  await fresh.context().close();
});

test("Delete account, confirmed by typing the email, removes it: signed out, and its email and password sign in no more", async ({ page }) => {
  const email = await signUp(page);
  await openEmptyConversation(page);
  await ask(page, "what is 12*7?");
  await answerDone(page);
  await expect(sidebar(page).getByRole("link")).toHaveCount(1);

  await openAccount(page);
  await page.getByRole("button", { name: "Delete account" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete your account?" });
  const confirm = dialog.getByRole("button", { name: "Delete account" });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(/to confirm/).fill("someone-else@example.com");
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(/to confirm/).fill(email);
  await confirm.click();
  await expect(page).toHaveURL(/\/sign-in/);

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Wrong email or password.")).toBeVisible();
  // The email is free again: a new account under it starts empty.
  await signUp(page, email);
  await expect(sidebar(page).getByText("No conversations yet.")).toBeVisible();
});
