import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { answerDone, ask, signUp } from "./helpers";

/** axe-core over the whole page as it is now: no serious or critical violation, each listed by rule and element if there is one. */
async function expectAccessible(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${what}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

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
