import { expect, test } from "@playwright/test";
import { answerDone, ask, lastAnswer, openEmptyConversation, signUp } from "./helpers";

test("pages carry a nonce-based Content-Security-Policy, and the app runs under it without a violation", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  const response = await page.goto("/sign-in");
  const headers = response!.headers();
  const csp = headers["content-security-policy"]!;
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeTruthy();
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain("'unsafe-inline' 'strict-dynamic'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  // Next's own scripts carry this response's nonce; every inline one does.
  const inline = await page.locator("script:not([src])").evaluateAll((scripts) => scripts.map((s) => (s as HTMLScriptElement).nonce));
  expect(inline.length).toBeGreaterThan(0);
  expect(inline.every((n) => n === nonce)).toBe(true);

  await signUp(page);
  await openEmptyConversation(page);
  await ask(page, "what is 2+2?");
  await expect(lastAnswer(page)).toContainText("2+2 = 4", { timeout: 20_000 });
  expect(violations).toEqual([]);
});

test("HTML, scripts and javascript: links in the agent's output are shown as inert text", async ({ page }) => {
  const dialogs: string[] = [];
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  await signUp(page);
  await openEmptyConversation(page);
  const hostile = `<img src=x onerror=alert(3)> <script>alert(1)</script> [click me](javascript:alert(2))`;
  await ask(page, `remember that ${hostile}`);
  const card = page.getByRole("region", { name: "Approve remember" });
  await expect(card).toContainText("<script>alert(1)</script>", { timeout: 20_000 });
  await card.getByRole("button", { name: "Approve" }).click();
  await expect(lastAnswer(page)).toContainText("Done: I'll remember", { timeout: 20_000 });
  await answerDone(page);

  const answer = lastAnswer(page);
  await expect(answer.locator("script, img, iframe")).toHaveCount(0);
  for (const href of await answer.locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? "")))
    expect(href).not.toMatch(/^\s*javascript:/i);
  await page.getByText("click me").first().click();
  expect(dialogs).toEqual([]);
});
