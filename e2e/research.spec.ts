/**
 * The built-in Research agent, on the suite's own server (no config file: Assistant and Research),
 * with the offline model: its steps show in the answer while it works, in order, and are still
 * there after a reload.
 */
import { expect, test } from "@playwright/test";
import { answerDone, ask, lastAnswer, sidebar, signUp } from "./helpers";

// The offline model's worked example: the calculation fails (an unclosed parenthesis) and is retried corrected.
const QUESTION = "What is (10-4)/(1+2 and what time is it in Europe/Paris?";

test("pick the Research agent and watch its steps: plan, parallel lookups, check, retry with changed input, answer", async ({ page }) => {
  await signUp(page);
  const agents = page.getByRole("radiogroup", { name: "Agent" });
  await expect(agents.getByRole("radio", { name: /Assistant/ })).toBeChecked();
  await agents.getByRole("radio", { name: /Research/ }).check();
  // Whether the page showed steps while the answer was still being worked on: recorded by the page itself, so no timing decides it.
  await page.evaluate(() => {
    new MutationObserver((_, observer) => {
      const step = document.querySelector('article[aria-label="Assistant"][aria-busy="true"] li[data-kind]');
      if (!step) return;
      (window as unknown as { stepWhileBusy: string | null }).stepWhileBusy = step.getAttribute("data-kind");
      observer.disconnect();
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await ask(page, QUESTION);
  await expect(page).toHaveURL(/\/c\//);

  await answerDone(page);
  // The plan was on the page while the answer was still being worked on, not only once it was done.
  expect(await page.evaluate(() => (window as unknown as { stepWhileBusy?: string }).stepWhileBusy)).toBe("plan");

  const shown = async () => (await lastAnswer(page).getByRole("list", { name: "Steps" }).getByRole("listitem").allTextContents()).map((s) => s.trim());
  const done = await shown();
  const kinds = await lastAnswer(page)
    .locator("li[data-kind]")
    .evaluateAll((items) => items.map((li) => li.getAttribute("data-kind")));
  expect(kinds).toEqual(["plan", "check", "retry", "check", "answer"]);
  expect(done[0]).toContain("Plan: 2 lookups, run in parallel");
  expect(done[1]).toContain("failed: calculator");
  expect(done[2]).toContain("(10-4)/(1+2)");
  await expect(lastAnswer(page)).toContainText("2");
  await expect(lastAnswer(page)).toContainText("Europe/Paris");
  // The sidebar marks a conversation of an agent other than the default one.
  await expect(sidebar(page).getByRole("link").first()).toContainText("Research");

  await page.reload();
  await expect(lastAnswer(page)).toContainText("Europe/Paris");
  expect(await shown()).toEqual(done);
});
