"use client";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { signOutAction } from "@/app/(chat)/actions";
import { useTRPC } from "@/app/_lib/trpc";
import { ConfirmDialog } from "../confirm-dialog";
import { Section } from "./section";

/** Deletes the account and everything in it, once its email is typed. */
export function DeleteAccount({ email }: { email: string }) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState("");
  const remove = useMutation(trpc.account.delete.mutationOptions({ onSuccess: () => signOutAction() }));
  const matches = typed.trim().toLowerCase() === email.toLowerCase();
  return (
    <Section title="Delete account">
      <p className="text-sm text-zinc-600">
        Deletes your account and everything in it: every conversation, memory and piece of feedback. This cannot be undone.
      </p>
      {remove.error && (
        <p role="alert" className="text-sm text-red-600">
          {remove.error.message}
        </p>
      )}
      <button
        type="button"
        onClick={() => setConfirming(true)}
        disabled={remove.isPending}
        className="rounded-lg bg-red-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-500 disabled:opacity-50"
      >
        Delete account
      </button>
      <ConfirmDialog
        open={confirming}
        title="Delete your account?"
        confirmLabel="Delete account"
        confirmDisabled={!matches || remove.isPending}
        onCancel={() => {
          setConfirming(false);
          setTyped("");
        }}
        onConfirm={() => {
          setConfirming(false);
          remove.mutate({ email: typed });
        }}
      >
        <p>Everything in your account will be deleted for good.</p>
        <label htmlFor="confirm-email" className="mt-3 block">
          Type <strong className="font-medium text-zinc-900">{email}</strong> to confirm
        </label>
        <input
          id="confirm-email"
          type="email"
          autoComplete="off"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          className="mt-1 block w-full rounded-lg border border-zinc-300 px-3 py-1.5 text-zinc-900 focus:border-indigo-500 focus:outline-none"
        />
      </ConfirmDialog>
    </Section>
  );
}
