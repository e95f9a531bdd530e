import { expect, test } from "@playwright/test";
import { answerDone, ask, expectAccessible, lastAnswer, openEmptyConversation, signUp } from "./helpers";

for (const theme of ["light", "dark"] as const) {
  test(`sign-in, chat and settings pages have no serious or critical accessibility violations, ${theme} theme`, async ({ page, context, baseURL }) => {
    await context.addCookies([{ name: "theme", value: theme, url: baseURL! }]);
    await page.goto("/sign-in");
    await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
    await expect(page.getByRole("heading", { name: "Sign in to Threadline" })).toBeVisible();
    await expectAccessible(page, "sign-in");

    await signUp(page);
    await expectAccessible(page, "new chat");
    await ask(page, "what is 12*7?");
    await page.waitForURL(/\/c\//);
    await answerDone(page);
    await expectAccessible(page, "conversation");
    await page.getByRole("button", { name: "New chat", exact: true }).focus();
    await page.keyboard.press("?");
    await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
    await expectAccessible(page, "keyboard shortcuts");
    await page.keyboard.press("Escape");

    await page.getByRole("link", { name: "Memory" }).click();
    await expect(page.getByRole("heading", { name: "Memory" })).toBeVisible();
    await expectAccessible(page, "settings");
  });
}

for (const theme of ["light", "dark"] as const) {
  test(`the share dialog and the shared page, signed in and signed out, have no serious or critical accessibility violations, ${theme} theme`, async ({
    page,
    context,
    browser,
    baseURL,
  }) => {
    // Four axe passes and a second browser: longer than one page's check.
    test.setTimeout(60_000);
    await context.addCookies([{ name: "theme", value: theme, url: baseURL! }]);
    await signUp(page);
    await openEmptyConversation(page, "Shared sums");
    await ask(page, "what is 12*7?");
    await expect(lastAnswer(page)).toContainText("12*7 = 84", { timeout: 20_000 });
    await answerDone(page);
    await page.getByRole("button", { name: "Options for Shared sums" }).click();
    await page.getByRole("menuitem", { name: "Share" }).click();
    const dialog = page.getByRole("dialog", { name: "Share conversation" });
    await dialog.getByRole("button", { name: "Create link" }).click();
    const link = dialog.getByRole("textbox", { name: "Link" });
    await expect(link).toHaveValue(/\/share\//);
    await expectAccessible(page, "share dialog");

    await page.goto(await link.inputValue());
    await expect(page.getByRole("button", { name: "Continue in my account" })).toBeVisible();
    await expectAccessible(page, "shared page");
    const signedOut = await browser.newContext();
    await signedOut.addCookies([{ name: "theme", value: theme, url: baseURL! }]);
    const visitor = await signedOut.newPage();
    await visitor.goto(page.url());
    await expect(visitor.locator("html")).toHaveAttribute("data-theme", theme);
    await expect(visitor.getByRole("link", { name: "Sign in to continue this conversation" })).toBeVisible();
    await expectAccessible(visitor, "shared page, signed out");
  });
}
