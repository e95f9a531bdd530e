import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import { signUp } from "./helpers";

/** The page's background as painted: the body's computed colour, as sRGB (a canvas converts whatever colour space CSS computed it in). */
const background = (page: Page) =>
  page.evaluate(() => {
    const ctx = document.createElement("canvas").getContext("2d")!;
    ctx.fillStyle = getComputedStyle(document.body).backgroundColor;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
    return `rgb(${r}, ${g}, ${b})`;
  });
const WHITE = "rgb(255, 255, 255)";
const themeSelect = (page: Page) => page.getByRole("combobox", { name: "Theme" });

async function withThemeCookie(context: BrowserContext, theme: string, baseURL: string) {
  await context.addCookies([{ name: "theme", value: theme, url: baseURL }]);
}

test("the theme follows the system until one is chosen, and the choice holds across reloads", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await signUp(page);
  await expect(themeSelect(page)).toHaveValue("system");
  const dark = await background(page);
  expect(dark).not.toBe(WHITE);
  await page.emulateMedia({ colorScheme: "light" });
  await expect.poll(() => background(page)).toBe(WHITE);

  await themeSelect(page).selectOption({ label: "Dark" });
  await expect.poll(() => background(page)).toBe(dark);
  await page.reload();
  await expect(themeSelect(page)).toHaveValue("dark");
  expect(await background(page)).toBe(dark);

  await page.emulateMedia({ colorScheme: "dark" });
  await themeSelect(page).selectOption({ label: "Light" });
  await expect.poll(() => background(page)).toBe(WHITE);
  await page.reload();
  await expect(themeSelect(page)).toHaveValue("light");
  expect(await background(page)).toBe(WHITE);

  await themeSelect(page).selectOption({ label: "System" });
  await expect.poll(() => background(page)).toBe(dark);
});

// The first paint is the server's HTML: with scripts off, nothing but that HTML and the CSS can set
// the colours, so what shows here is what shows before the app's scripts run.
test("the first paint is already in the chosen theme, with no script run", async ({ browser, baseURL }) => {
  const shown: Record<string, string> = {};
  for (const [system, cookie] of [
    ["light", "dark"],
    ["dark", "light"],
    ["dark", null],
    ["light", null],
  ] as const) {
    const context = await browser.newContext({ javaScriptEnabled: false, colorScheme: system });
    if (cookie) await withThemeCookie(context, cookie, baseURL!);
    const page = await context.newPage();
    const response = await page.goto("/sign-in");
    expect(await response!.text()).toContain(`<html lang="en" data-theme="${cookie ?? "system"}"`);
    shown[`${system} system, ${cookie ?? "no"} choice`] = await background(page);
    await context.close();
  }
  expect(shown["light system, dark choice"]).not.toBe(WHITE);
  expect(shown["dark system, light choice"]).toBe(WHITE);
  expect(shown["dark system, no choice"]).toBe(shown["light system, dark choice"]);
  expect(shown["light system, no choice"]).toBe(WHITE);
});
