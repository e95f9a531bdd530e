import { expect, test } from "@playwright/test";
import { lastAnswer, openEmptyConversation, sidebar, signUp } from "./helpers";

test("a message sent in one tab appears, with its answer, in another tab without a reload", async ({ page, context }) => {
  await signUp(page);
  const id = await openEmptyConversation(page);
  const other = await context.newPage();
  await other.goto(`/c/${id}`);
  await expect(other.getByText("No messages yet.")).toBeVisible();

  await page.getByRole("textbox", { name: "Message" }).fill("what is 2+3?");
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
  await expect(other.getByRole("article", { name: "You" })).toHaveText("what is 2+3?");
  await expect(lastAnswer(other)).toContainText("2+3 = 5");
  await expect(lastAnswer(page)).toContainText("2+3 = 5");
  await expect(other.getByRole("button", { name: "Send" })).toBeVisible();
});

test("the sidebar follows threads created, renamed and deleted in another tab", async ({ page, context }) => {
  await signUp(page);
  const other = await context.newPage();
  await other.goto("/");
  await expect(sidebar(other).getByText("No conversations yet.")).toBeVisible();

  const id = await openEmptyConversation(page);
  await expect(sidebar(other).getByRole("link", { name: "New chat" })).toHaveAttribute("href", `/c/${id}`);

  await sidebar(page).getByRole("button", { name: "Options for New chat" }).click();
  await page.getByRole("menuitem", { name: "Rename" }).click();
  await sidebar(page).getByRole("textbox", { name: "Conversation title" }).fill("Renamed elsewhere");
  await sidebar(page).getByRole("textbox", { name: "Conversation title" }).press("Enter");
  await expect(sidebar(other).getByRole("link", { name: "Renamed elsewhere" })).toBeVisible();

  await other.goto(`/c/${id}`);
  await expect(other.getByRole("heading", { name: "Renamed elsewhere" })).toBeVisible();
  await sidebar(page).getByRole("button", { name: "Options for Renamed elsewhere" }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  // The tab that was showing it leaves it, and its sidebar forgets it.
  await expect(other).toHaveURL(/\/$/);
  await expect(sidebar(other).getByRole("link", { name: "Renamed elsewhere" })).toHaveCount(0);
});
