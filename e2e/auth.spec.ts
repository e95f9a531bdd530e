import { type APIRequestContext, expect, test } from "@playwright/test";
import { decode } from "next-auth/jwt";
import { PASSWORD, signUp, uniqueEmail } from "./helpers";
import { E2E_AUTH_SECRET } from "./secret";

test("a signed-out visit to / lands on /sign-in, and signing in returns there", async ({ page }) => {
  const email = await signUp(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByRole("heading", { name: "Sign in to Threadline" })).toBeVisible();

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByText(email)).toBeVisible();
});

test("a signed-out visit to a conversation lands on /sign-in", async ({ page }) => {
  await page.goto("/c/00000000-0000-4000-8000-000000000000");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("sign-up explains each problem on the form", async ({ page }) => {
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(page.getByText("Password must be at least 8 characters")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue("not-an-email");

  const email = uniqueEmail();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByRole("navigation", { name: "Conversations" })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  await page.getByRole("link", { name: "Create an account" }).click();
  // Both forms have Email and Password fields: type only once the sign-up form has replaced sign-in's.
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
  await page.getByLabel("Email").fill(email.toUpperCase());
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByText("An account with this email already exists")).toBeVisible();
});

test("a wrong password and an unknown email get the same message", async ({ page }) => {
  const email = await signUp(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Threadline" })).toBeVisible();

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password.");

  await page.getByLabel("Email").fill(uniqueEmail());
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("a callback planted in the sign-in link never leads off the site; one on the site is kept", async ({ page, baseURL }) => {
  const email = await signUp(page);
  const signInVia = async (callbackUrl: string) => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByRole("heading", { name: "Sign in to Threadline" })).toBeVisible();
    await page.goto(`/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("navigation", { name: "Conversations" })).toBeVisible();
    return new URL(page.url());
  };
  for (const planted of [
    "/.//evil.example/phish",
    "//evil.example/phish",
    "/\\evil.example/phish",
    "/./\\evil.example",
    "%2F%2Fevil.example%2Fphish",
    "http://evil.example/phish",
    `${baseURL}.evil.example/phish`,
  ]) {
    const landed = await signInVia(planted);
    expect({ planted, landed: landed.href }).toEqual({ planted, landed: `${baseURL}/` });
  }
  expect((await signInVia(`${baseURL}/?from=link`)).href).toBe(`${baseURL}/?from=link`);
  expect((await signInVia("/?from=path")).href).toBe(`${baseURL}/?from=path`);
});

test("after Sign out, a copy of the session cookie no longer opens pages or the API", async ({ page, browser, baseURL }) => {
  await signUp(page);
  const captured = (await page.context().cookies()).filter((c) => c.name.includes("session-token"));
  expect(captured.length).toBeGreaterThan(0);
  const listThreads = (request: APIRequestContext) => request.get(`/api/trpc/thread.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`);
  expect((await listThreads(page.request)).status()).toBe(200);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Threadline" })).toBeVisible();

  // Someone who copied the cookie before the sign-out.
  const thief = await browser.newContext({ baseURL });
  await thief.addCookies(captured);
  expect((await listThreads(thief.request)).status()).toBe(401);
  const stolen = await thief.newPage();
  await stolen.goto("/");
  await expect(stolen.getByRole("heading", { name: "Sign in to Threadline" })).toBeVisible();
  await expect(stolen.getByRole("navigation", { name: "Conversations" })).toHaveCount(0);
  await thief.close();
});

test("a sign-in ends when it ends: cookies re-issued by later page loads keep the same session and end", async ({ page }) => {
  await signUp(page);
  const claims = async () => {
    const cookie = (await page.context().cookies()).find((c) => c.name === "authjs.session-token")!;
    const token = await decode({ token: cookie.value, secret: E2E_AUTH_SECRET, salt: cookie.name });
    return { raw: cookie.value, sid: token?.sid, sessionEnds: token?.sessionEnds, exp: token?.exp };
  };
  const first = await claims();
  expect(typeof first.sid).toBe("string");
  expect(first.sessionEnds).toBeGreaterThan(Date.now() / 1000);
  // Each page load re-issues the cookie; wait for one whose exp moved on, then compare.
  await expect
    .poll(async () => {
      await page.reload();
      await expect(page.getByRole("navigation", { name: "Conversations" })).toBeVisible();
      return (await claims()).exp;
    })
    .toBeGreaterThan(first.exp as number);
  const later = await claims();
  expect(later.raw).not.toBe(first.raw);
  expect({ sid: later.sid, sessionEnds: later.sessionEnds }).toEqual({ sid: first.sid, sessionEnds: first.sessionEnds });
});
