import { expect, type Page, test } from "@playwright/test";
import { answerDone, ask, lastAnswer, openEmptyConversation, sidebar, signUp } from "./helpers";

test.describe.configure({ timeout: 60_000 });

const card = (page: Page) => page.getByRole("region", { name: "Approve remember" });
const memories = (page: Page) => page.getByRole("list", { name: "Memories" }).getByRole("listitem");

/** Asks the agent to remember something, approves it, and waits for the answer. */
async function remember(page: Page, text: string) {
  await ask(page, `remember that ${text}`);
  await expect(card(page)).toContainText(`Remember: “${text}”`, { timeout: 20_000 });
  await card(page).getByRole("button", { name: "Approve" }).click();
  await expect(lastAnswer(page)).toContainText(`Done: I'll remember “${text}”`, { timeout: 20_000 });
  await answerDone(page);
}

async function answer(page: Page, text: string, expected: string) {
  await ask(page, text);
  await expect(lastAnswer(page)).toContainText(expected, { timeout: 20_000 });
  await answerDone(page);
}

async function openMemoryPage(page: Page) {
  await page.getByRole("link", { name: "Memory", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Memory", level: 1 })).toBeVisible();
}

test("a memory approved in one conversation is recalled in the next; the Memory page links it to its message, and Delete forgets it", async ({ page }) => {
  await signUp(page);
  const source = await openEmptyConversation(page);
  await remember(page, "I prefer metric units");

  await openEmptyConversation(page);
  await answer(page, "what do you know about me?", "Here is what I remember about you:");
  await expect(lastAnswer(page).getByRole("listitem")).toHaveText(["I prefer metric units"]);
  // Under the answer, which memories it used.
  await page.getByText("Used 1 memory").click();
  await expect(page.getByRole("list", { name: "Memories used" }).getByRole("listitem")).toHaveText(["I prefer metric units"]);
  await answer(page, "what units do I prefer?", "You told me: “I prefer metric units”.");

  await openMemoryPage(page);
  await expect(memories(page)).toHaveCount(1);
  await expect(memories(page)).toContainText("I prefer metric units");
  const link = memories(page).getByRole("link", { name: "From this conversation" });
  await expect(link).toHaveAttribute("href", new RegExp(`^/c/${source}\\?m=[^&]+$`));
  await link.click();
  await expect(page).toHaveURL(new RegExp(`/c/${source}\\?m=`));
  // Opened at the message the memory came from, highlighted.
  await expect(page.locator("[data-search-hit]")).toContainText("remember that I prefer metric units");

  await openMemoryPage(page);
  await memories(page).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByText("Nothing remembered yet.")).toBeVisible();
  await page.reload();
  await expect(page.getByText("Nothing remembered yet.")).toBeVisible();

  await openEmptyConversation(page);
  await answer(page, "what do you know about me?", "I don't remember anything about you yet.");
});

test("the Memory page edits a memory, searches, and deletes them all behind a confirmation", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  await remember(page, "I prefer metric units");
  await remember(page, "the spare key is under the mat");

  await openMemoryPage(page);
  await expect(memories(page)).toHaveCount(2);
  await page.getByRole("searchbox", { name: "Search memories" }).fill("spare");
  await expect(memories(page)).toHaveText([/the spare key is under the mat/]);
  await memories(page).getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Memory text").fill("the spare key is in the drawer");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("searchbox", { name: "Search memories" }).fill("");
  await expect(memories(page)).toHaveText([/the spare key is in the drawer/, /I prefer metric units/]);

  await page.getByRole("button", { name: "Delete all memories" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete all memories?" });
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(memories(page)).toHaveCount(2);
  await page.getByRole("button", { name: "Delete all memories" }).click();
  await dialog.getByRole("button", { name: "Delete all" }).click();
  await expect(page.getByText("Nothing remembered yet.")).toBeVisible();
});

test("with Use memory off, the agent neither recalls nor remembers, until it is back on", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  await remember(page, "I prefer metric units");

  await openMemoryPage(page);
  const toggle = page.getByRole("switch", { name: "Use memory" });
  await expect(toggle).toHaveAttribute("aria-checked", "true");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  await page.reload();
  await expect(toggle).toHaveAttribute("aria-checked", "false");

  await openEmptyConversation(page);
  await answer(page, "what do you know about me?", "Memory is off for this conversation");
  await ask(page, "remember that I like tea");
  await expect(lastAnswer(page)).toContainText("offline demo model", { timeout: 20_000 });
  await answerDone(page);
  await expect(card(page)).toHaveCount(0);

  await openMemoryPage(page);
  await expect(memories(page)).toHaveText([/I prefer metric units/]);
  await page.getByRole("switch", { name: "Use memory" }).click();
  await expect(page.getByRole("switch", { name: "Use memory" })).toHaveAttribute("aria-checked", "true");
  await openEmptyConversation(page);
  await answer(page, "what units do I prefer?", "You told me: “I prefer metric units”.");
});

test("a temporary chat is saved but neither reads nor writes memory", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  await remember(page, "I prefer metric units");

  await page.goto("/");
  await page.getByRole("switch", { name: "Temporary chat" }).click();
  await expect(page.getByRole("switch", { name: "Temporary chat" })).toHaveAttribute("aria-checked", "true");
  await ask(page, "remember that my sister lives in Lisbon");
  await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
  await expect(page.getByText("Temporary chat", { exact: true })).toBeVisible();
  await expect(lastAnswer(page)).toContainText("offline demo model", { timeout: 20_000 });
  await answerDone(page);
  await expect(card(page)).toHaveCount(0);
  await answer(page, "what do you know about me?", "Memory is off for this conversation");
  // Saved like any conversation.
  await expect(sidebar(page).getByRole("link", { name: "Remember that my sister lives" })).toBeVisible();

  await openMemoryPage(page);
  await expect(memories(page)).toHaveText([/I prefer metric units/]);
});
