import { type BaseMessage, type ContentBlock, HumanMessage } from "@langchain/core/messages";
import { type AttachmentRef, describeType, formatSize, refsOf } from "@/lib/attachments";
import { textOf } from "@/lib/text";

/**
 * A checkpointed user message keeps its files as references (`additional_kwargs.attachments`);
 * only the call being built gets their bytes and text. So a checkpoint never holds a file, and a
 * message resolves the same on any instance.
 */

/** The bytes and text of the user's files, by id: only theirs (the run's user id), never another's. */
export type AttachmentLoader = (userId: string, ids: string[]) => Promise<Map<string, { data: Buffer; text: string | null }>>;

export interface AttachmentOptions {
  load: AttachmentLoader;
  /** Whether the model is sent images; without, it reads a note in their place. */
  vision: boolean;
}

/** What an image costs in the budget, whatever its size (providers scale images down to about this). */
export const IMAGE_TOKENS = 1_000;
/** The documents of one message together get at most this share of the budget; the rest is cut with a note. */
export const DOCUMENT_SHARE = 0.5;

export const refsIn = (m: BaseMessage): AttachmentRef[] => (HumanMessage.isInstance(m) ? refsOf(m.additional_kwargs?.attachments) : []);

/** The most tokens the documents of one message may take. */
const documentAllowance = (budget: number) => Math.floor(budget * DOCUMENT_SHARE);

/**
 * What a message's files add to a call, estimated as context.ts counts text: images at a flat
 * rate, documents by their size (on the safe side for a PDF, whose text is smaller) up to their cap.
 */
export function attachmentTokens(m: BaseMessage, budget: number): number {
  const refs = refsIn(m);
  if (refs.length === 0) return 0;
  const images = refs.filter((r) => r.kind === "image").length;
  const documents = refs.filter((r) => r.kind === "document").reduce((sum, r) => sum + Math.ceil(r.size / 4), 0);
  return images * IMAGE_TOKENS + Math.min(documents, documentAllowance(budget)) + refs.length * 20;
}

/** The line that introduces each file to the model; the offline model reads it back (attachmentsIn). */
export const attachmentHeader = (r: AttachmentRef) => `Attached file: “${r.name}” (${describeType(r)}, ${formatSize(r.size)})`;
const HEADER = /^Attached file: “(.+)” \(([^,]+), ([^)]+)\)$/;
export const NO_VISION = "[This model cannot see images, so the image was not sent.]";
export const MISSING = "[The file is no longer available.]";
export const truncatedNote = (shown: number, total: number) =>
  `[Truncated: only the first ${shown.toLocaleString("en")} of ${total.toLocaleString("en")} characters fit in the context.]`;

/** The files a resolved message introduces, with the first line of each document's text. */
export function attachmentsIn(m: BaseMessage): { name: string; type: string; size: string; firstLine: string | null }[] {
  if (typeof m.content === "string") return [];
  const out: { name: string; type: string; size: string; firstLine: string | null }[] = [];
  for (const block of m.content) {
    if (block.type !== "text" || typeof block.text !== "string") continue;
    const [head, ...rest] = block.text.split("\n");
    const match = HEADER.exec(head ?? "");
    if (!match) continue;
    const body = rest.join("\n").replace(/^<document>\n?/, "");
    const first = rest.length && rest[0] === "<document>" ? (body.split("\n")[0] ?? "") : null;
    out.push({ name: match[1]!, type: match[2]!, size: match[3]!, firstLine: first });
  }
  return out;
}

/**
 * The messages of a call with their files in: images as LangChain `image_url` parts (which each
 * provider's adapter turns into its own format: OpenAI's data URL, Anthropic's base64 source,
 * Ollama's `images`), documents as text inside the message, cut to their share of the budget.
 */
export async function withAttachments(messages: BaseMessage[], options: AttachmentOptions | null, userId: string | undefined, budget: number) {
  const carrying = messages.filter((m) => refsIn(m).length > 0);
  if (carrying.length === 0) return messages;
  const ids = carrying.flatMap((m) => refsIn(m).map((r) => r.id));
  const loaded = options && userId ? await options.load(userId, ids) : new Map<string, { data: Buffer; text: string | null }>();
  const vision = options?.vision ?? false;
  return messages.map((m) => {
    const refs = refsIn(m);
    if (refs.length === 0) return m;
    const parts: ContentBlock[] = [{ type: "text", text: textOf(m) }];
    const documents = refs.filter((r) => r.kind === "document").length;
    const perDocument = Math.floor((documentAllowance(budget) * 4) / Math.max(1, documents));
    for (const ref of refs) {
      const content = loaded.get(ref.id);
      const header = attachmentHeader(ref);
      if (!content) {
        parts.push({ type: "text", text: `${header}\n${MISSING}` });
      } else if (ref.kind === "image") {
        if (vision) {
          parts.push({ type: "text", text: header });
          parts.push({ type: "image_url", image_url: { url: `data:${ref.mediaType};base64,${content.data.toString("base64")}` } });
        } else {
          parts.push({ type: "text", text: `${header}\n${NO_VISION}` });
        }
      } else {
        const text = content.text ?? "";
        const cut = text.length > perDocument ? `${text.slice(0, perDocument)}\n${truncatedNote(perDocument, text.length)}` : text;
        parts.push({ type: "text", text: `${header}\n<document>\n${cut}\n</document>` });
      }
    }
    return new HumanMessage({ id: m.id, content: parts });
  });
}
