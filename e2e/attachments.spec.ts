import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { minimalPdf, TINY_PNG } from "../scripts/testing/files";
import { answerDone, ask, composer, lastAnswer, openEmptyConversation, signUp } from "./helpers";

const FIRST_LINE = "Shopping list for the weekend trip to the mountains with the whole family and the dog";
const files = [
  { name: "dot.png", mimeType: "image/png", buffer: TINY_PNG },
  { name: "list.txt", mimeType: "text/plain", buffer: Buffer.from(`${FIRST_LINE}\nbread\ncheese\n`) },
  { name: "report.pdf", mimeType: "application/pdf", buffer: minimalPdf("Quarterly revenue is up") },
];

/** A document's chip, by the name it is read out with: "list.txt, text, 99 B". */
const chip = (name: string, type: string) => new RegExp(`^${name.replace(".", "\\.")}\\s?, ${type}, `);

/** Through the "Attach files" button and the file chooser it opens, as a user picks files. */
async function attach(page: Page, chosen: { name: string; mimeType: string; buffer: Buffer }[]) {
  const chooser = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Attach files" }).click();
  await (await chooser).setFiles(chosen);
}

/** A thumbnail whose image really loaded from the server (not just an element with a broken src). */
async function expectThumbnail(page: Page, scope: ReturnType<Page["locator"]>, name: string) {
  const img = scope.getByRole("img", { name });
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
}

test("an image, a text file and a PDF are sent with a message, acknowledged, and still there after a reload mid-answer", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  await attach(page, files);
  const form = page.locator("form").filter({ has: composer(page) });
  await expectThumbnail(page, form, "dot.png");
  await expect(form.getByRole("link", { name: chip("list.txt", "text") })).toBeVisible();
  await expect(form.getByRole("link", { name: chip("report.pdf", "PDF") })).toBeVisible();
  // Removable before sending: taken off, then put back.
  await form.getByRole("button", { name: "Remove report.pdf" }).click();
  await expect(form.getByRole("link", { name: /^report\.pdf/ })).toHaveCount(0);
  await attach(page, [files[2]!]);
  await expect(form.getByRole("link", { name: chip("report.pdf", "PDF") })).toBeVisible();

  await ask(page, "what did I attach?");
  const sent = page
    .locator("div")
    .filter({ has: page.getByRole("article", { name: "You" }) })
    .last();
  await expect(lastAnswer(page)).toContainText("I received 3 files");
  await page.reload();

  await expectThumbnail(page, sent, "dot.png");
  await expect(sent.getByRole("link", { name: chip("list.txt", "text") })).toBeVisible();
  await answerDone(page);
  const answer = lastAnswer(page);
  await expect(answer).toContainText(`dot.png (PNG image, ${TINY_PNG.length} B)`);
  await expect(answer).toContainText(`list.txt (text, ${files[1]!.buffer.length} B), first line: “${FIRST_LINE}”`);
  await expect(answer).toContainText("report.pdf (PDF,");
  await expect(answer).toContainText("first line: “Quarterly revenue is up”");
  // The composer is empty again; the files are the message's now.
  await expect(form.getByRole("list", { name: "Attachments" })).toHaveCount(0);

  await page.reload();
  await expectThumbnail(page, sent, "dot.png");
  await expect(sent.getByRole("link", { name: chip("report.pdf", "PDF") })).toBeVisible();

  // An edit is a new branch whose message keeps the files.
  await sent.getByRole("button", { name: "Edit" }).click();
  const editing = page.getByRole("form", { name: "Edit message" });
  await expect(editing.getByRole("img", { name: "dot.png" })).toBeVisible();
  await editing.getByRole("textbox", { name: "Edited message" }).fill("and now?");
  await editing.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("article", { name: "You" })).toHaveText("and now?");
  await answerDone(page);
  await expect(lastAnswer(page)).toContainText("first line: “Quarterly revenue is up”");
  await expectThumbnail(page, sent, "dot.png");
});

test("a file of another type, or not what its name says, gets an error naming it and is not attached", async ({ page }) => {
  await signUp(page);
  await openEmptyConversation(page);
  await attach(page, [
    { name: "setup.exe", mimeType: "application/octet-stream", buffer: Buffer.from("MZ\x90\x00") },
    { name: "fake.png", mimeType: "image/png", buffer: Buffer.from("just some text") },
  ]);
  const alert = page
    .locator("form")
    .filter({ has: composer(page) })
    .getByRole("alert");
  await expect(alert).toContainText("“setup.exe” can't be attached");
  await expect(alert).toContainText("“fake.png” is not a PNG, JPEG, WebP or GIF image.");
  await expect(page.getByRole("list", { name: "Attachments" })).toHaveCount(0);
  // Binary content under a text name passes the browser's check and is refused by the server.
  await attach(page, [{ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from([0x68, 0x00, 0xff, 0xfe]) }]);
  await expect(alert).toContainText("“notes.txt” is not a text file");
  await expect(page.getByRole("list", { name: "Attachments" })).toHaveCount(0);

  // The real server takes a file of exactly 10 MiB, and refuses one byte more with the file's name.
  const post = (size: number) =>
    page.request.post(`/api/attachments?name=big.txt`, { data: Buffer.alloc(size, 0x61), headers: { "content-type": "application/octet-stream" } });
  expect((await post(10 * 1024 * 1024)).status()).toBe(201);
  const over = await post(10 * 1024 * 1024 + 1);
  expect([over.status(), (await over.json()).error]).toEqual([413, "“big.txt” is larger than 10 MB, the most a file may be."]);
  // Checked in the browser too, before any upload.
  await attach(page, [{ name: "huge.txt", mimeType: "text/plain", buffer: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61) }]);
  await expect(alert).toContainText("“huge.txt” is larger than 10 MB, the most a file may be.");
});

/** No serious or critical axe violation on the page as it is now. */
async function expectAccessible(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  expect(
    violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} at ${v.nodes.map((n) => n.target).join(", ")}`),
  ).toEqual([]);
}

test("files dropped on the composer or pasted into it are attached too, accessibly in the dark theme", async ({ page, context, baseURL }) => {
  await context.addCookies([{ name: "theme", value: "dark", url: baseURL! }]);
  await signUp(page);
  await openEmptyConversation(page);
  const form = page.locator("form").filter({ has: composer(page) });
  const transfer = (name: string, type: string, bytes: number[]) =>
    page.evaluateHandle(
      ({ name, type, bytes }) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(bytes)], name, { type }));
        return data;
      },
      { name, type, bytes },
    );
  const dropped = await transfer("dropped.md", "text/markdown", [...Buffer.from("# Dropped\n")]);
  await form.dispatchEvent("dragover", { dataTransfer: dropped });
  await form.dispatchEvent("drop", { dataTransfer: dropped });
  await expect(form.getByRole("link", { name: chip("dropped.md", "Markdown") })).toBeVisible();
  // A paste as the browser fires it (Playwright's dispatchEvent makes no ClipboardEvent).
  await composer(page).evaluate(
    (box, bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], "image.png", { type: "image/png" }));
      box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    },
    [...TINY_PNG],
  );
  await expectThumbnail(page, form, "image.png");
  await expectAccessible(page);
  await ask(page, "and these?");
  await answerDone(page);
  await expect(lastAnswer(page)).toContainText("first line: “# Dropped”");
  await expectAccessible(page);
});
