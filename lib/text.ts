/** A message's content as every provider shapes it: a string, or a list of typed parts. */
type Content = string | ReadonlyArray<{ type: string; text?: unknown }>;

/** The text of a message, whatever shape its content takes (providers differ). */
export function textOf(message: { content: Content }): string {
  const c = message.content;
  if (typeof c === "string") return c;
  return c.map((part) => (part.type === "text" && "text" in part ? String(part.text) : "")).join("");
}

/**
 * Direction controls reorder what follows them ("invoice\u202Egpj.exe" reads "invoiceexe.jpg"),
 * and zero-width characters hide inside words; names shown to people lose both. A joiner inside an
 * emoji sequence (👨‍👩‍👧) is kept: there it draws one picture.
 */
const HIDDEN_CONTROLS =
  /[\u061C\u200B\u200C\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]|(?<!\p{Extended_Pictographic}[\u{1F3FB}-\u{1F3FF}\uFE0F]?)\u200D|\u200D(?!\p{Extended_Pictographic})/gu;

export const withoutHiddenControls = (text: string): string => text.replace(HIDDEN_CONTROLS, "");
