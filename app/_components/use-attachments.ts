"use client";
import { useQuery } from "@tanstack/react-query";
import { useCallback, useRef, useState } from "react";
import { useTRPC } from "@/app/_lib/trpc";
import {
  type AttachmentRef,
  classify,
  DEFAULT_ATTACHMENT_MAX_BYTES,
  DEFAULT_ATTACHMENTS_PER_MESSAGE,
  emptyFile,
  SNIFF_BYTES,
  tooLarge,
  tooMany,
} from "@/lib/attachments";

async function uploadFile(file: File): Promise<AttachmentRef> {
  const res = await fetch(`/api/attachments?name=${encodeURIComponent(file.name.toWellFormed())}`, {
    method: "POST",
    body: file,
    headers: { "content-type": "application/octet-stream" },
  }).catch(() => null);
  const body = (await res?.json().catch(() => null)) as { attachment?: AttachmentRef; error?: string } | null;
  if (res?.ok && body?.attachment) return body.attachment;
  throw new Error(body?.error ?? `“${file.name}” could not be uploaded. Try again.`);
}

/**
 * The files of the message being written: checked here first (type by their bytes, size, count),
 * as the server checks them again, then uploaded at once so that sending is only a reference.
 */
export function useAttachments() {
  const trpc = useTRPC();
  const model = useQuery(trpc.chat.model.queryOptions());
  const limits = model.data?.attachments ?? { maxBytes: DEFAULT_ATTACHMENT_MAX_BYTES, perMessage: DEFAULT_ATTACHMENTS_PER_MESSAGE, vision: true };
  const [files, setFiles] = useState<AttachmentRef[]>([]);
  const [uploading, setUploading] = useState<{ key: string; name: string }[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  const taken = useRef(0); // files kept or on their way, counted at once (several drops may overlap)
  taken.current = files.length + uploading.length;

  const add = useCallback(
    async (list: File[]) => {
      if (list.length === 0) return;
      const problems: string[] = [];
      const accepted: { key: string; file: File }[] = [];
      for (const file of list) {
        if (taken.current + accepted.length >= limits.perMessage) {
          problems.push(`${tooMany(limits.perMessage)} “${file.name}” was not added.`);
          continue;
        }
        if (file.size === 0) problems.push(emptyFile(file.name));
        else if (file.size > limits.maxBytes) problems.push(tooLarge(file.name, limits.maxBytes));
        else {
          const what = classify(file.name, new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer()));
          if (what.ok) accepted.push({ key: crypto.randomUUID(), file });
          else problems.push(what.error);
        }
      }
      setErrors(problems);
      if (accepted.length === 0) return;
      taken.current += accepted.length;
      setUploading((u) => [...u, ...accepted.map(({ key, file }) => ({ key, name: file.name }))]);
      await Promise.all(
        accepted.map(async ({ key, file }) => {
          try {
            const ref = await uploadFile(file);
            setFiles((f) => (f.some((x) => x.id === ref.id) ? f : [...f, ref]));
          } catch (err) {
            setErrors((e) => [...e, (err as Error).message]);
          } finally {
            setUploading((u) => u.filter((x) => x.key !== key));
          }
        }),
      );
    },
    [limits.maxBytes, limits.perMessage],
  );

  return {
    files,
    uploading,
    errors,
    vision: limits.vision,
    add,
    remove: (id: string) => setFiles((f) => f.filter((x) => x.id !== id)),
    /** Sent: the composer starts empty. Refused: `restore` puts them back. */
    take: () => {
      const taken = files;
      setFiles([]);
      setErrors([]);
      return taken;
    },
    restore: (back: AttachmentRef[]) => setFiles((f) => (f.length ? f : back)),
    dismissErrors: () => setErrors([]),
  };
}
