import { expect, type Page, test } from "@playwright/test";
import { answerDone, ask, composer, lastAnswer, sidebar, signUp } from "./helpers";

const newChatButton = (page: Page) => page.getByRole("button", { name: "New chat", exact: true });
const threadIdOf = (page: Page) => /\/c\/([0-9a-f-]{36})$/.exec(new URL(page.url()).pathname)?.[1];

/** Requests that would mean New chat asked the server: a thread created, or a page fetched for a navigation. */
function watchServerRoundTrips(page: Page) {
  const seen: string[] = [];
  page.on("request", (req) => {
    if (req.url().includes("thread.create") || req.headers()["rsc"] === "1" || req.resourceType() === "document") seen.push(req.url());
  });
  return seen;
}

test("New chat shows an empty conversation at once; what is typed right away is sent into a new one", async ({ page }) => {
  await signUp(page);
  await ask(page, "what is 2+3?");
  await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
  const previous = threadIdOf(page)!;
  await expect(lastAnswer(page)).toContainText("2+3 = 5");
  await answerDone(page);

  const roundTrips = watchServerRoundTrips(page);
  await newChatButton(page).click();
  // No waiting for anything: the keys go to wherever the keyboard is right after the click.
  await page.keyboard.type("what is 6*7?");
  expect(roundTrips).toEqual([]);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "What can I help with?" })).toBeVisible();
  await expect(composer(page)).toHaveValue("what is 6*7?");
  await page.keyboard.press("Enter");

  await page.waitForURL((url) => /^\/c\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(previous));
  const created = threadIdOf(page)!;
  await expect(page.getByRole("article", { name: "You" })).toHaveText(["what is 6*7?"]);
  await expect(lastAnswer(page)).toContainText("42");
  await answerDone(page);

  // The previous conversation is as it was.
  await sidebar(page).getByRole("link", { name: "What is 2+3" }).click();
  await expect(page).toHaveURL(new RegExp(`/c/${previous}$`));
  await expect(page.getByRole("article", { name: "You" })).toHaveText(["what is 2+3?"]);
  await expect(page.getByRole("article", { name: "Assistant" })).toHaveCount(1);
  await expect(sidebar(page).getByRole("link")).toHaveCount(2);
  expect(created).not.toBe(previous);
});

test("New chat leaves no empty conversations behind, and Back returns to the conversation it left", async ({ page }) => {
  await signUp(page);
  await ask(page, "what is 1+1?");
  await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
  const previous = page.url();
  await answerDone(page);

  for (let i = 0; i < 3; i++) {
    await newChatButton(page).click();
    await expect(composer(page)).toBeFocused();
  }
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("article")).toHaveCount(0);
  // Nothing in the sidebar marks the conversation we left as the one open.
  await expect(sidebar(page).locator("[aria-current=page]")).toHaveCount(0);

  await page.goBack();
  await expect(page).toHaveURL(previous);
  await expect(page.getByRole("article", { name: "You" })).toHaveText(["what is 1+1?"]);
  await page.goForward();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "What can I help with?" })).toBeVisible();
  await expect(page.getByRole("article")).toHaveCount(0);

  await page.reload();
  await expect(sidebar(page).getByRole("link")).toHaveCount(1);
  const listed = await page.request.get(`/api/trpc/thread.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`);
  expect((await listed.json()).result.data.json.items.map((t: { title: string }) => t.title)).toEqual(["What is 1+1"]);
});

test("New chat on the home page starts over: the typed text and the temporary switch are cleared", async ({ page }) => {
  await signUp(page);
  await composer(page).fill("half a thought");
  await page.getByRole("switch", { name: "Temporary chat" }).click();
  await expect(page.getByRole("switch", { name: "Temporary chat" })).toHaveAttribute("aria-checked", "true");
  await newChatButton(page).click();
  await expect(composer(page)).toHaveValue("");
  await expect(composer(page)).toBeFocused();
  await expect(page.getByRole("switch", { name: "Temporary chat" })).toHaveAttribute("aria-checked", "false");
});
