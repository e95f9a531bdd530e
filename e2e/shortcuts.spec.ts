import { expect, test } from "@playwright/test";
import { answerDone, ask, composer, lastAnswer, openEmptyConversation, sidebar, signUp } from "./helpers";

const dialog = (page: import("@playwright/test").Page) => page.getByRole("dialog", { name: "Keyboard shortcuts" });
const searchBox = (page: import("@playwright/test").Page) => page.getByRole("searchbox", { name: "Search conversations" });

test("? shows the shortcuts outside a field, and types a question mark inside one", async ({ page }) => {
  await signUp(page);
  await composer(page).press("?");
  await expect(composer(page)).toHaveValue("?");
  await searchBox(page).press("?");
  await expect(searchBox(page)).toHaveValue("?");
  await expect(dialog(page)).toHaveCount(0);

  const button = page.getByRole("button", { name: "New chat", exact: true });
  await button.focus();
  await page.keyboard.press("?");
  await expect(dialog(page)).toBeVisible();
  await expect(dialog(page)).toHaveAttribute("aria-modal", "true");
  for (const label of [
    "New chat",
    "Search conversations",
    "Focus the message box",
    "Stop the answer",
    "Previous conversation",
    "Next conversation",
    "Copy the last answer",
  ]) {
    await expect(dialog(page).getByRole("rowheader", { name: label })).toBeVisible();
  }
  await expect(dialog(page).getByRole("row", { name: /New chat/ })).toContainText("CtrlShiftO");
  // Shortcuts wait while the dialog has the keyboard.
  await page.keyboard.press("Control+Shift+O");
  await expect(composer(page)).toHaveValue("?");
  await page.keyboard.press("Escape");
  await expect(dialog(page)).toBeHidden();
  await expect(button).toBeFocused();
});

test("Ctrl+Shift+O starts a new chat, even from the composer; Ctrl+K goes to search; Shift+Esc back to the composer", async ({ page }) => {
  await signUp(page);
  const id = await openEmptyConversation(page);
  await composer(page).fill("draft");
  await composer(page).press("Control+Shift+O");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "What can I help with?" })).toBeVisible();
  await expect(composer(page)).toBeFocused();
  await expect(composer(page)).toHaveValue("");
  expect(page.url()).not.toContain(id);

  await page.keyboard.press("Control+K");
  await expect(searchBox(page)).toBeFocused();
  await page.keyboard.press("Shift+Escape");
  await expect(composer(page)).toBeFocused();
});

test("Esc in the composer stops the answer; in the search box it only clears the search", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  await ask(page, "tell me about yourself");
  await expect(lastAnswer(page)).toContainText("offline demo model");
  await searchBox(page).fill("something");
  await searchBox(page).press("Escape");
  await expect(searchBox(page)).toHaveValue("");
  await expect(page.getByRole("button", { name: "Stop" })).toBeVisible();
  await composer(page).press("Escape");
  await expect(lastAnswer(page).getByText("Stopped")).toBeVisible();
  await expect(page.getByRole("button", { name: "Send" })).toBeVisible();
});

test("Alt+Shift+Up and Down open the conversation above and below in the sidebar", async ({ page }) => {
  await signUp(page);
  const older = await openEmptyConversation(page, "Older one");
  const newer = await openEmptyConversation(page, "Newer one");
  await expect(sidebar(page).getByRole("link")).toHaveText(["Newer one", "Older one"]);
  await composer(page).press("Alt+Shift+ArrowDown");
  await expect(page).toHaveURL(new RegExp(`/c/${older}$`));
  await expect(page.getByRole("heading", { name: "Older one" })).toBeVisible();
  // The last one has nothing below it.
  await page.keyboard.press("Alt+Shift+ArrowDown");
  await page.keyboard.press("Alt+Shift+ArrowUp");
  await expect(page).toHaveURL(new RegExp(`/c/${newer}$`));
  await expect(page.getByRole("heading", { name: "Newer one" })).toBeVisible();
  // From a new chat, Down opens the newest conversation.
  await page.getByRole("button", { name: "New chat", exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.keyboard.press("Alt+Shift+ArrowDown");
  await expect(page).toHaveURL(new RegExp(`/c/${newer}$`));
});

test("Ctrl+Shift+C copies the last answer", async ({ page, context, baseURL }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  await signUp(page);
  await openEmptyConversation(page);
  // Each answer's whole text before going on: the tool row shows "42" before the answer does.
  await ask(page, "what is 2+3?");
  await expect(lastAnswer(page)).toContainText("2+3 = 5");
  await answerDone(page);
  await ask(page, "what is 6*7?");
  await expect(lastAnswer(page)).toContainText("6*7 = 42");
  await answerDone(page);
  await page.evaluate(() => navigator.clipboard.writeText("before"));
  await composer(page).press("Control+Shift+C");
  await expect(page.getByRole("status").filter({ hasText: "Copied the last answer" })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  // The answer's Markdown, as written.
  expect(copied).toContain("6*7 = **42**");
  expect(copied).not.toContain("2+3");
});
