import { randomUUID } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

export const PASSWORD = "correct-horse-42";
export const uniqueEmail = () => `e2e-${randomUUID()}@example.com`;

/** Signs up a brand-new user through the real form and waits for the app shell. */
export async function signUp(page: Page, email = uniqueEmail()) {
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("textbox", { name: "Message" })).toBeVisible();
  return email;
}

export const sidebar = (page: Page) => page.getByRole("navigation", { name: "Conversations" });

/**
 * Opens a conversation that exists but has no message yet, as an API client makes one (`thread.create`
 * with the page's session), and returns its id. The app's New chat creates nothing until the first
 * message (e2e/new-chat.spec.ts); tests of what happens inside a conversation start from this.
 */
export async function openEmptyConversation(page: Page, title?: string): Promise<string> {
  // On the origin the page is on (a proxy in front, say), not necessarily the suite's base URL.
  const origin = page.url().startsWith("http") ? new URL(page.url()).origin : "";
  const res = await page.request.post(`${origin}/api/trpc/thread.create`, { data: { json: title ? { title } : {} } });
  expect(res.ok()).toBe(true);
  const id: string = (await res.json()).result.data.json.id;
  await page.goto(`${origin}/c/${id}`);
  await expect(page.getByRole("textbox", { name: "Message" })).toBeVisible();
  return id;
}

/** Signs in an existing user (in another browser context, say) and waits for the app shell. */
export async function signIn(page: Page, email: string) {
  await page.goto("/sign-in");
  await expect(page.getByRole("heading", { name: "Sign in to Threadline" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("textbox", { name: "Message" })).toBeVisible();
}

export const composer = (page: Page) => page.getByRole("textbox", { name: "Message" });
export const lastAnswer = (page: Page) => page.getByRole("article", { name: "Assistant" }).last();

export async function ask(page: Page, text: string) {
  await composer(page).fill(text);
  await composer(page).press("Enter");
}

/** Waits for the answer being written to finish: Stop shows while it is written, and then goes. */
export async function answerDone(page: Page) {
  await expect(lastAnswer(page)).toBeVisible();
  await expect(page.getByRole("button", { name: "Stop" })).toHaveCount(0, { timeout: 20_000 });
  await expect(lastAnswer(page)).not.toHaveAttribute("aria-busy", "true");
}

/**
 * A conversation reloaded in the middle of its answer (signed in already): after the reload the
 * partial answer is back and keeps growing, and it ends exactly as the same question answered
 * without interruption, with no word lost or repeated.
 */
export async function reloadMidAnswer(page: Page) {
  // The same question answered without interruption: what the reloaded one must end up as.
  await openEmptyConversation(page);
  await ask(page, "hello");
  await expect(lastAnswer(page)).toContainText("restart Threadline.", { timeout: 20_000 });
  await answerDone(page);
  const expected = await lastAnswer(page).innerText();

  await openEmptyConversation(page);
  await ask(page, "hello");
  await expect(lastAnswer(page)).toContainText("offline demo model");
  await page.reload();
  // Still answering after the reload: the partial text is back and keeps growing.
  await expect(page.getByRole("button", { name: "Stop" })).toBeVisible();
  await expect(lastAnswer(page)).toContainText("offline demo model");
  await answerDone(page);
  expect(await lastAnswer(page).innerText()).toBe(expected);

  await page.reload();
  expect(await lastAnswer(page).innerText()).toBe(expected);
  await expect(page.getByRole("article", { name: "You" })).toHaveCount(1);
}

/** Edits the (only) user message shown into `text`, and waits for the new branch's answer to contain `answer`. */
export async function editMessage(page: Page, text: string, answer: string) {
  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Edited message").fill(text);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(lastAnswer(page)).toContainText(answer, { timeout: 20_000 });
  await answerDone(page);
}

/** axe-core over the whole page as it is now: no serious or critical violation, each listed by rule and element if there is one. */
export async function expectAccessible(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${what}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}
