import { extractText, getDocumentProxy } from "unpdf";

/** A PDF's text, pages joined by blank lines; throws when the file cannot be parsed as a PDF. */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  // PDF.js takes ownership of the buffer it is given: a copy keeps the caller's bytes intact.
  const doc = await getDocumentProxy(new Uint8Array(bytes));
  try {
    const { text } = await extractText(doc, { mergePages: false });
    return text
      .map((page) => page.trim())
      .filter(Boolean)
      .join("\n\n");
  } finally {
    await doc.loadingTask.destroy();
  }
}
