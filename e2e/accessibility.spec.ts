import { expect, test } from "@playwright/test";
import { answerDone, ask, expectAccessible, signUp } from "./helpers";

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
