import { expect, test } from "@playwright/test";
import { openEmptyConversation, sidebar, signUp } from "./helpers";

test("create a chat, rename it, reload, delete it", async ({ page }) => {
  await signUp(page);
  await expect(sidebar(page).getByText("No conversations yet.")).toBeVisible();

  const id = await openEmptyConversation(page);
  const link = sidebar(page).getByRole("link", { name: "New chat" });
  await expect(link).toHaveAttribute("href", `/c/${id}`);
  await expect(link).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("textbox", { name: "Message" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Send" })).toBeVisible();

  await sidebar(page).getByRole("button", { name: "Options for New chat" }).click();
  await page.getByRole("menuitem", { name: "Rename" }).click();
  const title = sidebar(page).getByRole("textbox", { name: "Conversation title" });
  await title.fill("Holiday plans");
  await title.press("Enter");
  await expect(sidebar(page).getByRole("link", { name: "Holiday plans" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Holiday plans" })).toBeVisible();

  await page.reload();
  await expect(sidebar(page).getByRole("link", { name: "Holiday plans" })).toHaveAttribute("href", `/c/${id}`);
  await expect(page.getByRole("heading", { name: "Holiday plans" })).toBeVisible();

  await sidebar(page).getByRole("button", { name: "Options for Holiday plans" }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete conversation?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(sidebar(page).getByRole("link", { name: "Holiday plans" })).toHaveCount(0);

  await page.reload();
  await expect(sidebar(page).getByText("No conversations yet.")).toBeVisible();
  await page.goto(`/c/${id}`);
  await expect(page.getByRole("heading", { name: "Conversation not found" })).toBeVisible();
});

test("Escape cancels a rename and Cancel keeps the conversation", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  await sidebar(page).getByRole("button", { name: "Options for New chat" }).click();
  await page.getByRole("menuitem", { name: "Rename" }).click();
  const title = sidebar(page).getByRole("textbox", { name: "Conversation title" });
  await title.fill("Should not stick");
  await title.press("Escape");
  await expect(sidebar(page).getByRole("link", { name: "New chat" })).toBeVisible();
  await expect(sidebar(page).getByText("Should not stick")).toHaveCount(0);

  await sidebar(page).getByRole("button", { name: "Options for New chat" }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  await page.reload();
  await expect(sidebar(page).getByRole("link", { name: "New chat" })).toBeVisible();
});

test("the sidebar is keyboard usable: options menu, rename and delete without a mouse", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  const options = sidebar(page).getByRole("button", { name: "Options for New chat" });
  await options.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("menuitem", { name: "Rename" })).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("menuitem", { name: "Share" })).toBeFocused();
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  await expect(page.getByRole("menuitem", { name: "Delete" })).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("menuitem", { name: "Rename" })).toBeFocused();
  await page.keyboard.press("Enter");
  await page.keyboard.type("Typed title");
  await page.keyboard.press("Enter");
  await expect(sidebar(page).getByRole("link", { name: "Typed title" })).toBeVisible();
});

test("newest conversation first, and another user's conversation is not found", async ({ page, browser }) => {
  await signUp(page);
  const first = await openEmptyConversation(page);
  await openEmptyConversation(page);
  await expect(sidebar(page).getByRole("link")).toHaveCount(2);
  await expect(sidebar(page).getByRole("link").first()).not.toHaveAttribute("href", `/c/${first}`);

  const other = await browser.newPage();
  await signUp(other);
  await other.goto(`/c/${first}`);
  await expect(other.getByRole("heading", { name: "Conversation not found" })).toBeVisible();
  await expect(sidebar(other).getByRole("link")).toHaveCount(0);
  await other.close();
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test("the sidebar is a drawer", async ({ page }) => {
    await signUp(page);
    await openEmptyConversation(page);
    await expect(sidebar(page)).toBeHidden();
    await page.getByRole("button", { name: "Open sidebar" }).click();
    await expect(sidebar(page)).toBeVisible();
    await page.getByRole("button", { name: "New chat", exact: true }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(sidebar(page)).toBeHidden();
    await expect(page.getByRole("textbox", { name: "Message" })).toBeFocused();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(375);
  });
});
