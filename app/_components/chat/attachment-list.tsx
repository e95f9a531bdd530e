"use client";
import { type AttachmentRef, attachmentUrl, describeType, formatSize } from "@/lib/attachments";

/**
 * A message's files: images as thumbnails (opened full size in a new tab), documents as chips that
 * download them. `onRemove`: in the composer, each gets a button to take it off the message.
 */
export function AttachmentList({
  attachments,
  onRemove,
  className = "",
  shareId,
}: {
  attachments: AttachmentRef[];
  /** On a shared page: each file is fetched through the share, which lets its viewers read it. */
  shareId?: string;
  onRemove?: (id: string) => void;
  className?: string;
}) {
  if (attachments.length === 0) return null;
  return (
    <ul aria-label="Attachments" className={`flex flex-wrap gap-2 ${className}`}>
      {attachments.map((a) => (
        <li key={a.id} className="relative">
          {a.kind === "image" ? (
            <a href={attachmentUrl(a.id, shareId)} target="_blank" rel="noreferrer" title={`${a.name} (${formatSize(a.size)})`} className="block">
              {/* Served by the app to its owner: next/image's optimiser would fetch it without the cookie. */}
              {/* eslint-disable-next-line @next/next/no-img-element */}
              <img src={attachmentUrl(a.id, shareId)} alt={a.name} className="h-20 w-20 rounded-lg border border-zinc-200 object-cover" />
            </a>
          ) : (
            <a
              href={attachmentUrl(a.id, shareId)}
              download={a.name}
              className="flex max-w-60 items-center gap-2 rounded-lg border border-zinc-200 bg-white px-2 py-1.5 text-sm text-zinc-800 hover:bg-zinc-50"
            >
              <span aria-hidden className="rounded bg-zinc-100 px-1 text-[10px] font-semibold text-zinc-600 uppercase">
                {describeType(a) === "text" ? "txt" : describeType(a).slice(0, 4)}
              </span>
              {/* Named by what it shows, the type in words for screen readers: "notes.md, Markdown, 2 KB". */}
              <span className="min-w-0 truncate">{a.name}</span>
              <span className="sr-only">, {describeType(a)}, </span>
              <span className="shrink-0 text-xs text-zinc-500">{formatSize(a.size)}</span>
            </a>
          )}
          {onRemove && (
            <button
              type="button"
              aria-label={`Remove ${a.name}`}
              onClick={() => onRemove(a.id)}
              className="absolute -top-2 -right-2 flex h-5 w-5 items-center justify-center rounded-full bg-zinc-800 text-xs text-white hover:bg-zinc-600"
            >
              ×
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
