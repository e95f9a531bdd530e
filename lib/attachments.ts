/**
 * What can be attached, decided the same way in the browser (before uploading) and on the server
 * (which trusts only its own check): images by their bytes, whatever their name or the browser's
 * type says; documents by their name, then their bytes (a PDF's signature, a text file's UTF-8).
 */

export type AttachmentKind = "image" | "document";

/** A file as a message refers to it: what the checkpoint keeps, never the bytes. */
export interface AttachmentRef {
  id: string;
  name: string;
  kind: AttachmentKind;
  mediaType: string;
  size: number;
}

/** The defaults of ATTACHMENT_MAX_BYTES and ATTACHMENTS_PER_MESSAGE. */
export const DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_ATTACHMENTS_PER_MESSAGE = 10;
/** However ATTACHMENTS_PER_MESSAGE is set, an input never lists more. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 50;
export const MAX_ATTACHMENT_NAME = 255;

export const IMAGE_LABELS: Record<string, string> = { "image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WebP", "image/gif": "GIF" };

const IMAGE_EXTENSIONS = ["png", "jpg", "jpeg", "webp", "gif"];
const TEXT_TYPES: Record<string, string> = { txt: "text/plain", text: "text/plain", md: "text/markdown", markdown: "text/markdown", csv: "text/csv" };
const CODE_EXTENSIONS =
  "js mjs cjs jsx ts mts cts tsx py rb go rs java kt kts scala swift c h cc cpp cxx hpp cs php pl lua r sh bash zsh fish ps1 sql json jsonc yaml yml toml ini cfg conf xml html htm css scss less vue svelte graphql proto tf dart ex exs erl hs ml clj elm zig nim jl log diff patch env gitignore dockerfile makefile tsv rst tex".split(
    " ",
  );
/** Source files whose name has no extension. */
const CODE_NAMES = ["dockerfile", "makefile", "readme", "license", "gemfile", "rakefile", "procfile"];

/** For the file picker: a hint only, the checks below decide. */
export const ACCEPT = ["image/png", "image/jpeg", "image/webp", "image/gif", ".pdf", ...Object.keys(TEXT_TYPES), ...CODE_EXTENSIONS]
  .map((t) => (t.includes("/") ? t : `.${t}`))
  .join(",");

export const ACCEPTED_SUMMARY = "images (PNG, JPEG, WebP, GIF) and documents (PDF, plain text, Markdown, CSV, source code)";

/** How many bytes the checks need to see first. */
export const SNIFF_BYTES = 16;

const startsWith = (bytes: Uint8Array, signature: number[], at = 0) => signature.every((b, i) => bytes[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The image type the bytes really are, or null. */
export function sniffImage(head: Uint8Array): string | null {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(head, ascii("GIF87a")) || startsWith(head, ascii("GIF89a"))) return "image/gif";
  if (startsWith(head, ascii("RIFF")) && startsWith(head, ascii("WEBP"), 8)) return "image/webp";
  return null;
}

const extensionOf = (name: string) => {
  const base = name.toLowerCase().split(/[\\/]/).pop() ?? "";
  const dot = base.lastIndexOf(".");
  return dot >= 0 ? base.slice(dot + 1) : base.startsWith(".") ? base.slice(1) : "";
};

export type Classified = { ok: true; kind: AttachmentKind; mediaType: string; text: boolean } | { ok: false; error: string };

const refuse = (error: string): Classified => ({ ok: false, error });

/** What a file is, from its name and first bytes; `text: true` when the rest must be UTF-8 text. */
export function classify(name: string, head: Uint8Array): Classified {
  const image = sniffImage(head);
  if (image) return { ok: true, kind: "image", mediaType: image, text: false };
  const ext = extensionOf(name);
  const base = name.toLowerCase().split(/[\\/]/).pop() ?? "";
  if (IMAGE_EXTENSIONS.includes(ext)) return refuse(`“${name}” is not a PNG, JPEG, WebP or GIF image.`);
  if (ext === "pdf")
    return startsWith(head, ascii("%PDF-"))
      ? { ok: true, kind: "document", mediaType: "application/pdf", text: false }
      : refuse(`“${name}” is not a valid PDF.`);
  if (TEXT_TYPES[ext]) return { ok: true, kind: "document", mediaType: TEXT_TYPES[ext], text: true };
  if (CODE_EXTENSIONS.includes(ext) || CODE_NAMES.includes(base)) return { ok: true, kind: "document", mediaType: "text/plain", text: true };
  return refuse(`“${name}” can't be attached: only ${ACCEPTED_SUMMARY} can.`);
}

export const notText = (name: string) => `“${name}” is not a text file (it is not UTF-8 text).`;
export const tooLarge = (name: string, maxBytes: number) => `“${name}” is larger than ${formatSize(maxBytes)}, the most a file may be.`;
export const tooMany = (max: number) => `At most ${max} files can be attached to one message.`;
export const emptyFile = (name: string) => `“${name}” is empty.`;

/** "68 B", "1.2 KB", "10 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || Number.isInteger(value) ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** "PNG image", "PDF", "Markdown", "CSV", "text". */
export function describeType(ref: Pick<AttachmentRef, "kind" | "mediaType">): string {
  if (ref.kind === "image") return `${IMAGE_LABELS[ref.mediaType] ?? "image"} image`;
  if (ref.mediaType === "application/pdf") return "PDF";
  if (ref.mediaType === "text/markdown") return "Markdown";
  if (ref.mediaType === "text/csv") return "CSV";
  return "text";
}

export const attachmentUrl = (id: string, shareId?: string) => `/api/attachments/${id}${shareId ? `?share=${encodeURIComponent(shareId)}` : ""}`;

/** Refs as they come back from a stored message: anything malformed is dropped, not trusted. */
export function refsOf(value: unknown): AttachmentRef[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (r): r is AttachmentRef =>
      typeof r === "object" &&
      r !== null &&
      typeof r.id === "string" &&
      typeof r.name === "string" &&
      (r.kind === "image" || r.kind === "document") &&
      typeof r.mediaType === "string" &&
      typeof r.size === "number",
  );
}
