import { expect, test } from "@playwright/test";
import { startBlipProxy } from "./blip-proxy";
import { answerDone, ask, composer, lastAnswer, openEmptyConversation, PASSWORD, reloadMidAnswer, signUp, uniqueEmail } from "./helpers";

test("a reload in the middle of an answer shows it so far, then the rest live, with no word lost or repeated", async ({ page }) => {
  await signUp(page);
  await reloadMidAnswer(page);
});

test("two tabs on one conversation both show the live answer", async ({ page, context }) => {
  await signUp(page);
  const id = await openEmptyConversation(page);
  await ask(page, "hello");
  await expect(lastAnswer(page)).toContainText("offline demo model");

  const other = await context.newPage();
  await other.goto(`/c/${id}`);
  await expect(other.getByRole("article", { name: "You" })).toHaveText("hello");
  await expect(other.getByRole("button", { name: "Stop" })).toBeVisible();
  await answerDone(page);
  await answerDone(other);
  expect(await lastAnswer(other).innerText()).toBe(await lastAnswer(page).innerText());
  await expect(lastAnswer(other)).toContainText("restart Threadline");
});

test("Send is not offered while an answer is being written", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  await ask(page, "hello");
  await expect(page.getByRole("button", { name: "Stop" })).toBeVisible();
  await composer(page).fill("another question");
  await expect(page.getByRole("button", { name: "Send" })).toHaveCount(0);
  await answerDone(page);
  await expect(page.getByRole("button", { name: "Send" })).toBeEnabled();
});

test("a network blip in the middle of an answer: the stream reconnects after its last event and ends exactly right", async ({ page, baseURL }) => {
  const proxy = await startBlipProxy(new URL(baseURL!));
  try {
    await page.goto(`${proxy.url}/sign-up`);
    await page.getByLabel("Email").fill(uniqueEmail());
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign up" }).click();
    await expect(composer(page)).toBeVisible();
    await openEmptyConversation(page);
    await ask(page, "hello");
    await expect(lastAnswer(page)).toContainText("restart Threadline.", { timeout: 20_000 });
    await answerDone(page);
    const expected = await lastAnswer(page).innerText();

    const eventRequests: { url: string; lastEventId: string | undefined }[] = [];
    page.on("request", async (req) => {
      if (req.url().includes("/api/trpc/chat.events")) eventRequests.push({ url: req.url(), lastEventId: (await req.allHeaders())["last-event-id"] });
    });
    await openEmptyConversation(page);
    await ask(page, "hello");
    await expect(lastAnswer(page)).toContainText("offline demo model");
    proxy.cut();
    await answerDone(page);
    expect(await lastAnswer(page).innerText()).toBe(expected);
    // It did reconnect, asking (in the SSE Last-Event-ID header) for what came after the last event it had.
    expect(eventRequests.length).toBeGreaterThanOrEqual(2);
    expect(eventRequests.at(-1)!.lastEventId).toMatch(/^[0-9a-f-]{36}:\d+$/);
  } finally {
    await proxy.close();
  }
});
