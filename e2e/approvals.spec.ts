import { type Browser, expect, type Page, test } from "@playwright/test";
import { answerDone, ask, composer, lastAnswer, openEmptyConversation, signIn, signUp } from "./helpers";

const card = (page: Page) => page.getByRole("region", { name: "Approve remember" });

/** Asks the agent to remember something and waits for it to ask for approval. */
async function askToSave(page: Page, note: string) {
  await ask(page, `remember that ${note}`);
  await expect(card(page)).toContainText(`Remember: “${note}”`, { timeout: 20_000 });
}

async function secondTab(browser: Browser, email: string, url: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  await page.goto(url);
  return { page, close: () => context.close() };
}

test("approve: the agent waits, the composer says why, and a double-clicked Approve saves the memory once", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  await askToSave(page, "the spare key is under the mat");
  await expect(page.getByRole("status").filter({ hasText: "The agent is waiting" })).toHaveText("The agent is waiting for your decision on the action above.");
  await expect(composer(page)).toBeDisabled();
  await expect(page.getByRole("button", { name: "Send" })).toBeDisabled();

  await card(page).getByRole("button", { name: "Approve" }).dblclick();
  await expect(lastAnswer(page)).toContainText("Done: I'll remember “the spare key is under the mat”", { timeout: 20_000 });
  await answerDone(page);
  await expect(card(page)).toHaveCount(0);
  await expect(composer(page)).toBeEnabled();

  await ask(page, "what are my notes?");
  await expect(lastAnswer(page)).toContainText("the spare key is under the mat", { timeout: 20_000 });
  await answerDone(page);
  await expect(lastAnswer(page).getByRole("listitem")).toHaveText(["the spare key is under the mat"]);
});

test("edit then approve: the memory saved is the edited one", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  await askToSave(page, "milk is low");
  await card(page).getByRole("button", { name: "Edit" }).click();
  await card(page).getByLabel("text").fill("oat milk is low");
  await card(page).getByRole("button", { name: "Save and approve" }).click();
  await expect(lastAnswer(page)).toContainText("Done: I'll remember “oat milk is low”", { timeout: 20_000 });
  await answerDone(page);
  await expect(lastAnswer(page)).toContainText("done · edited");
});

test("reject with a reason: nothing is saved and the agent answers to the reason", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  await askToSave(page, "my PIN is 1234");
  await card(page).getByRole("button", { name: "Reject" }).click();
  await card(page).getByLabel("Reason (optional, the agent reads it)").fill("never store my PIN");
  await card(page).getByRole("button", { name: "Confirm rejection" }).click();
  await expect(lastAnswer(page)).toContainText("Understood, I did not remember that. You said: “never store my PIN”", { timeout: 20_000 });
  await answerDone(page);
  await expect(lastAnswer(page)).toContainText("rejected");

  await ask(page, "what are my notes?");
  await expect(lastAnswer(page)).toContainText("I don't remember anything yet.", { timeout: 20_000 });
});

test("a pending approval survives a reload", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  await askToSave(page, "the boiler is serviced in May");
  await page.reload();
  await expect(card(page)).toContainText("the boiler is serviced in May");
  await expect(composer(page)).toBeDisabled();
  await card(page).getByRole("button", { name: "Approve" }).click();
  await expect(lastAnswer(page)).toContainText("Done: I'll remember", { timeout: 20_000 });
});

test("an approval decided in another browser: both show the outcome", async ({ page, browser }) => {
  const email = await signUp(page);
  await openEmptyConversation(page);
  await askToSave(page, "the gate code is 4321");
  const other = await secondTab(browser, email, page.url());
  try {
    await expect(card(other.page)).toContainText("the gate code is 4321");
    await card(other.page).getByRole("button", { name: "Approve" }).click();
    await expect(lastAnswer(other.page)).toContainText("Done: I'll remember", { timeout: 20_000 });
    // The first browser follows along without a reload.
    await expect(lastAnswer(page)).toContainText("Done: I'll remember", { timeout: 20_000 });
    await expect(card(page)).toHaveCount(0);
  } finally {
    await other.close();
  }
});
