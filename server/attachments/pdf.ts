import { getDocumentProxy } from "unpdf";

/**
 * Far more text than any model call can take (documents get at most half of CONTEXT_BUDGET_TOKENS):
 * pages past it are not parsed, so a huge PDF costs its first pages' work, not all of it.
 */
export const MAX_PDF_TEXT = 1_000_000;

/** A PDF's text, pages joined by blank lines, up to MAX_PDF_TEXT; throws when the file cannot be parsed as a PDF. */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  // PDF.js takes ownership of the buffer it is given: a copy keeps the caller's bytes intact.
  const doc = await getDocumentProxy(new Uint8Array(bytes));
  try {
    const pages: string[] = [];
    let length = 0;
    for (let n = 1; n <= doc.numPages && length < MAX_PDF_TEXT; n++) {
      const { items } = await (await doc.getPage(n)).getTextContent();
      const text = items
        .map((item) => ("str" in item ? item.str + (item.hasEOL ? "\n" : "") : ""))
        .join("")
        .trim();
      if (text) pages.push(text);
      length += text.length;
    }
    return pages.join("\n\n").slice(0, MAX_PDF_TEXT);
  } finally {
    await doc.loadingTask.destroy();
  }
}
