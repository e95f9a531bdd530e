import { expect, test } from "@playwright/test";
import { composer, openEmptyConversation, sidebar, signUp } from "./helpers";

const assistant = (page: import("@playwright/test").Page) => page.getByRole("article", { name: "Assistant" });

test("arithmetic goes through the calculator tool, shown as it happens", async ({ page }) => {
  await signUp(page);
  await expect(page.getByText("Offline demo model")).toBeVisible();
  await openEmptyConversation(page);
  await composer(page).fill("what is 12*7?");
  await composer(page).press("Enter");
  await expect(page.getByRole("article", { name: "You" })).toHaveText("what is 12*7?");
  const answer = assistant(page).last();
  await expect(answer.getByText("calculator")).toBeVisible();
  await answer.getByText("calculator").click();
  await expect(answer.getByText("Result")).toBeVisible();
  await expect(answer).toContainText("84");
  await expect(page.getByRole("button", { name: "Send" })).toBeVisible();
  // The row stays open when the finished answer takes the live one's place.
  await expect(answer.getByText("Result")).toBeVisible();
  await expect(answer.getByText("Arguments")).toBeVisible();
});

test("the answer streams in: it is seen at several lengths before it is complete", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  await composer(page).fill("hello");
  await composer(page).press("Enter");
  await expect(page.getByRole("button", { name: "Stop" })).toBeVisible();
  const lengths = new Set<number>();
  // Sample until the answer is complete (Send is back); each sample is one DOM read, no fixed sleeps.
  while (!(await page.getByRole("button", { name: "Send" }).isVisible())) {
    lengths.add((await assistant(page).last().innerText()).length);
  }
  expect(lengths.size).toBeGreaterThanOrEqual(3);
  await expect(assistant(page).last()).toContainText("OPENAI_API_KEY");
});

test("Stop keeps the partial answer, marked as stopped, across a reload", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  await composer(page).fill("tell me about yourself");
  await composer(page).press("Enter");
  await expect(assistant(page).last()).toContainText("offline demo model");
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Send" })).toBeVisible();
  await expect(assistant(page).last().getByText("Stopped")).toBeVisible();
  const partial = (await assistant(page).last().innerText()).replace(/\s*Stopped$/, "");
  expect(partial).not.toContain("restart Threadline");

  await page.reload();
  await expect(assistant(page).last().getByText("Stopped")).toBeVisible();
  expect((await assistant(page).last().innerText()).replace(/\s*Stopped$/, "")).toBe(partial);

  await composer(page).fill("what is 6*7?");
  await composer(page).press("Enter");
  await expect(assistant(page).last()).toContainText("42");
});

test("a message from the home page starts a conversation named after it in the sidebar", async ({ page }) => {
  await signUp(page);
  await composer(page).fill("Plan a weekend in Lisbon");
  await composer(page).press("Enter");
  await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
  await expect(assistant(page).last()).toContainText("offline demo model");
  await expect(sidebar(page).getByRole("link", { name: "Plan a weekend in Lisbon" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Plan a weekend in Lisbon" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("article", { name: "You" })).toHaveText("Plan a weekend in Lisbon");
  await expect(assistant(page).last()).toContainText("offline demo model");
});

test("Shift+Enter adds a line; Enter sends the whole message", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  await composer(page).fill("what is");
  await composer(page).press("Shift+Enter");
  await composer(page).pressSequentially("2+3?");
  await expect(composer(page)).toHaveValue("what is\n2+3?");
  await composer(page).press("Enter");
  await expect(page.getByRole("article", { name: "You" })).toHaveText("what is\n2+3?");
  await expect(assistant(page).last()).toContainText("5");
  await expect(composer(page)).toHaveValue("");
});

test("each answer shows the tokens it used, and the header the conversation's total", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  const total = page.getByLabel(/^This conversation: [\d,]+ tokens: [\d,]+ in, [\d,]+ out$/);
  const tokens = async () => Number((await total.textContent())!.replace(/\D/g, ""));
  await composer(page).fill("what is 12*7?");
  await composer(page).press("Enter");
  await expect(page.getByLabel(/^[\d,]+ tokens: [\d,]+ in, [\d,]+ out$/)).toHaveCount(1, { timeout: 20_000 });
  await expect(total).toBeVisible();
  const first = await tokens();
  expect(first).toBeGreaterThan(0);
  await composer(page).fill("what is 6*7?");
  await composer(page).press("Enter");
  await expect(page.getByLabel(/^[\d,]+ tokens: [\d,]+ in, [\d,]+ out$/)).toHaveCount(2, { timeout: 20_000 });
  await expect.poll(tokens).toBeGreaterThan(first);
});
