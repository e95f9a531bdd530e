/** A message's content as every provider shapes it: a string, or a list of typed parts. */
type Content = string | ReadonlyArray<{ type: string; text?: unknown }>;

/** The text of a message, whatever shape its content takes (providers differ). */
export function textOf(message: { content: Content }): string {
  const c = message.content;
  if (typeof c === "string") return c;
  return c.map((part) => (part.type === "text" && "text" in part ? String(part.text) : "")).join("");
}
