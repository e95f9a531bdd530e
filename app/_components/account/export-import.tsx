"use client";
import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";
import { useTRPC } from "@/app/_lib/trpc";
import { ACCOUNT_EXPORT_PATH, IMPORT_PATH } from "@/lib/transfer";
import { Section } from "./section";

/** Everything in the account as one JSON download (streamed by the server as it reads). */
export function ExportData() {
  return (
    <Section title="Export your data">
      <p className="text-sm text-zinc-600">
        One JSON file with every conversation (all of their branches, tool calls, token usage and feedback) and your memories. Threadline can import it back.
      </p>
      <a href={ACCOUNT_EXPORT_PATH} download className="inline-block rounded-lg border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100">
        Export all data
      </a>
    </Section>
  );
}

type Outcome = { imported: { id: string; title: string }[]; skipped: number } | { error: string };

/** "Import conversations": a Threadline export or ChatGPT's conversations.json, each conversation in one piece. */
export function ImportConversations() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const inputId = useId();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const upload = async (file: File) => {
    setBusy(true);
    setOutcome(null);
    try {
      const res = await fetch(IMPORT_PATH, { method: "POST", body: file, headers: { "content-type": "application/json" } });
      const body = (await res.json().catch(() => ({ error: `The import failed (${res.status})` }))) as Outcome;
      setOutcome(body);
      if ("imported" in body) await queryClient.invalidateQueries(trpc.thread.list.pathFilter());
    } catch {
      setOutcome({ error: "Could not reach Threadline. Check your connection and try again." });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Import conversations">
      <p className="text-sm text-zinc-600">
        A Threadline export (one conversation or all of them) or ChatGPT&apos;s <code>conversations.json</code>. Branches stay branches. A file with a problem
        imports nothing.
      </p>
      <label htmlFor={inputId} className="block text-sm font-medium">
        Import conversations
      </label>
      <input
        id={inputId}
        type="file"
        accept="application/json,.json"
        disabled={busy}
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = "";
          if (file) void upload(file);
        }}
        className="block text-sm file:mr-3 file:rounded-lg file:border file:border-zinc-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium"
      />
      <div role="status" className="text-sm text-zinc-600">
        {busy && "Importing…"}
        {outcome && "imported" in outcome && (
          <>
            <p>
              Imported {outcome.imported.length} conversation{outcome.imported.length === 1 ? "" : "s"}
              {outcome.skipped > 0 && ` (${outcome.skipped} without messages skipped)`}.
            </p>
            <ul className="mt-1 list-disc pl-5">
              {outcome.imported.slice(0, 10).map((t) => (
                <li key={t.id}>
                  <Link href={`/c/${t.id}`} className="text-indigo-600 underline underline-offset-2">
                    {t.title}
                  </Link>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      {outcome && "error" in outcome && (
        <p role="alert" className="text-sm text-red-600">
          {outcome.error}
        </p>
      )}
    </Section>
  );
}
