import { randomUUID } from "node:crypto";
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

/** Creates a chat with the sidebar's button and returns its id from the URL (a new one, not the page we were on). */
export async function newChat(page: Page): Promise<string> {
  const before = page.url();
  await page.getByRole("button", { name: "New chat", exact: true }).click();
  await page.waitForURL((url) => url.href !== before && /\/c\/[0-9a-f-]{36}$/.test(url.pathname));
  return page.url().split("/c/")[1]!;
}
